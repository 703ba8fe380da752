// fetch_url (alias web_fetch): GET a public URL through the SSRF guard and return it as text.
import { z } from 'zod';
import type { HostResolver } from '../../security';
import { guardedFetch } from '../guarded-fetch';
import { htmlToText } from '../html-text';
import type { ToolDefinition } from '../tool-definition';
import { capText, success } from '../tool-result';
import { isNestedDeeperThan } from '../../shared/json-depth';

const schema = z.object({
  url: z.string().trim().min(1).max(8192).describe('http(s) URL to fetch'),
  extractMode: z.enum(['markdown', 'text', 'html']).optional().describe('How to return HTML (default markdown)'),
  maxChars: z.number().int().min(256).max(100_000).optional().describe('Most characters to return'),
});

/** Deeper JSON is returned as fetched: indenting each level again makes pretty-printing quadratic in depth. */
const MAX_PRETTY_JSON_DEPTH = 64;

/**
 * `text` indented two spaces a level; as it came when it is cut, invalid, nested deeper than 64 levels, or longer
 * than the `maxChars` returned anyway (indenting only lengthens it: 64 levels deep, 1 MB became 69M characters).
 */
function prettyJson(text: string, maxChars: number): string {
  if (text.length > maxChars || isNestedDeeperThan(text, MAX_PRETTY_JSON_DEPTH)) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Cut or invalid JSON: return it as it came.
    return text;
  }
}

export function createFetchUrlTool(deps: { resolver: HostResolver }): ToolDefinition<z.output<typeof schema>> {
  return {
    name: 'fetch_url',
    aliases: ['web_fetch'],
    description: 'Fetch a public web page or API URL and return its readable text.',
    level: 2,
    schema,
    async run(args, context) {
      const network = context.config.tool_network;
      const mode = args.extractMode ?? 'markdown';
      const maxChars = args.maxChars ?? context.config.tool_output_limits.fetch_url_chars;
      const fetched = await guardedFetch(args.url, {
        schemes: network.allow_http_schemes,
        blockPrivate: network.block_private_networks,
        allowPrivateHosts: network.allow_private_hosts,
        maxRedirects: network.max_redirects,
        maxBytes: network.max_content_bytes,
        timeoutMs: context.config.tool_timeouts.fetch_url_seconds * 1000,
        resolver: deps.resolver,
        signal: context.signal,
      });
      const text = new TextDecoder().decode(fetched.body);
      let content = text;
      if (fetched.contentType.includes('json')) content = prettyJson(text, maxChars);
      else if (fetched.contentType.includes('html') && mode !== 'html') content = await htmlToText(text, mode);
      const capped = capText(content, maxChars);
      const warnings = fetched.cut
        ? [`body cut at tool_network.max_content_bytes (${network.max_content_bytes} bytes)`]
        : [];
      if (!network.block_private_networks)
        warnings.push('private network blocking is off (tool_network.block_private_networks)');
      const truncated = capped.truncated || fetched.cut;
      return success(
        {
          status: fetched.status,
          url: fetched.url,
          content_type: fetched.contentType,
          content: capped.text,
          truncated,
          extract_mode: mode,
          max_chars: maxChars,
        },
        { truncated, warnings },
      );
    },
  };
}
