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

/** A longer result URL is dropped: fetch_url would refuse it (its `url` argument has the same bound). */
const MAX_URL_CHARS = 8192;
/** Provider fields are cut to these lengths: a search result is read, not mined. */
const MAX_TITLE_CHARS = 500;
const MAX_SNIPPET_CHARS = 2000;

/** `text` without leading and trailing dots; index walks, where `/^\.+|\.+$/g` is quadratic on `a....b`. */
function trimDots(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charAt(start) === '.') start++;
  while (end > start && text.charAt(end - 1) === '.') end--;
  return text.slice(start, end);
}

const normalizeDomain = (domain: string) => trimDots(domain.toLowerCase());
const hostMatches = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * Scheme + host + path, lower-cased host, no query or fragment: two links to one page compare equal.
 * Null for what is not a URL or is longer than 8192 characters.
 */
export function canonicalUrl(url: string): string | null {
  if (url.length > MAX_URL_CHARS) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol.replace(':', '')}://${trimDots(parsed.hostname.toLowerCase())}${parsed.pathname || '/'}`;
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
          title: row.title.slice(0, MAX_TITLE_CHARS),
          url: row.url,
          snippet: row.snippet.slice(0, MAX_SNIPPET_CHARS),
          source: settings.provider,
          canonical_url: canonical,
        });
        if (results.length >= limit) break;
      }
      return success({ query: args.query, provider: settings.provider, recency_days: args.recency_days ?? 0, results });
    },
  };
}
