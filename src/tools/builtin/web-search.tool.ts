// web_search: searches the web with the configured provider; filters by domain, dedupes, keeps provider order.
import { z } from 'zod';
import type { ToolDefinition } from '../tool-definition';
import { success } from '../tool-result';
import { searchWeb, type ProviderDeps } from '../web-search-providers';

const domains = z.array(z.string().trim().min(1).max(253)).max(50);
const schema = z.object({
  query: z.string().trim().min(1).max(1000).describe('What to search for'),
  limit: z.number().int().min(1).max(10).optional().describe('How many results (default from config, at most 10)'),
  count: z.number().int().min(1).max(10).optional().describe('Same as limit'),
  recency_days: z.number().int().min(1).max(3650).optional().describe('Only results from the last N days'),
  allowed_domains: domains.optional().describe('Only results from these domains (and their subdomains)'),
  blocked_domains: domains.optional().describe('No results from these domains'),
});

const normalizeDomain = (domain: string) => domain.toLowerCase().replace(/^\.+|\.+$/g, '');
const hostMatches = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** Scheme + host + path, lower-cased host, no query or fragment: two links to one page compare equal. */
export function canonicalUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol.replace(':', '')}://${parsed.hostname.toLowerCase().replace(/^\.+|\.+$/g, '')}${parsed.pathname || '/'}`;
  } catch {
    // Not a URL: it has no canonical form, and the caller drops the row.
    return null;
  }
}

export function createWebSearchTool(
  deps: Pick<ProviderDeps, 'env' | 'fetch'>,
): ToolDefinition<z.output<typeof schema>> {
  return {
    name: 'web_search',
    description: 'Search the web and return titles, links and snippets.',
    level: 2,
    schema,
    async run(args, context) {
      const settings = context.config.tool_web_search;
      const limit = args.limit ?? args.count ?? settings.max_results;
      const allowed = (args.allowed_domains ?? []).map(normalizeDomain).filter(Boolean);
      const blocked = (args.blocked_domains ?? []).map(normalizeDomain).filter(Boolean);
      const rows = await searchWeb(
        settings,
        {
          query: args.query,
          count: Math.min(20, limit * 3),
          recencyDays: args.recency_days ?? null,
          allowedDomains: allowed,
          blockedDomains: blocked,
        },
        {
          ...deps,
          timeoutMs: context.config.tool_timeouts.fetch_url_seconds * 1000,
          maxBytes: context.config.tool_network.max_content_bytes,
        },
      );
      const seen = new Set<string>();
      const results = [];
      for (const row of rows) {
        const canonical = canonicalUrl(row.url);
        if (!canonical || seen.has(canonical)) continue;
        const host = new URL(row.url).hostname.toLowerCase();
        if (allowed.length > 0 && !allowed.some((domain) => hostMatches(host, domain))) continue;
        if (blocked.some((domain) => hostMatches(host, domain))) continue;
        seen.add(canonical);
        results.push({
          title: row.title,
          url: row.url,
          snippet: row.snippet,
          source: settings.provider,
          canonical_url: canonical,
        });
        if (results.length >= limit) break;
      }
      return success({ query: args.query, provider: settings.provider, recency_days: args.recency_days ?? 0, results });
    },
  };
}
