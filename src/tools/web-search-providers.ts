// Web search back ends (DuckDuckGo HTML, SearXNG, Brave, Tavily): one request each, mapped to plain result rows.
import type { RuntimeConfig } from '../config';
import { decodeHTMLAttribute } from 'entities';
import { jsonField, jsonList } from '../shared/json-field';
import { decodeEntities } from './html-text';
import { ToolFailure } from './tool-result';
import { readCapped } from '../shared/read-capped';

export interface SearchRow {
  title: string;
  url: string;
  snippet: string;
}

export interface SearchRequest {
  query: string;
  /** How many raw rows to ask for (more than returned, so domain filters still leave enough). */
  count: number;
  recencyDays: number | null;
  allowedDomains: string[];
  blockedDomains: string[];
}

export interface ProviderDeps {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
}

type SearchSettings = RuntimeConfig['tool_web_search'];

const DEFAULT_ENDPOINTS = {
  duckduckgo_html: 'https://html.duckduckgo.com/html/',
  searxng: '',
  brave: 'https://api.search.brave.com/res/v1/web/search',
  tavily: 'https://api.tavily.com/search',
} as const;
const DEFAULT_KEY_ENV = { brave: 'BRAVE_SEARCH_API_KEY', tavily: 'TAVILY_API_KEY' } as const;

function recencyCode(days: number | null, codes: [string, string, string, string]): string | null {
  if (days === null) return null;
  return days <= 1 ? codes[0] : days <= 7 ? codes[1] : days <= 31 ? codes[2] : codes[3];
}

async function request(deps: ProviderDeps, url: string, init: RequestInit = {}): Promise<string> {
  let response: Response;
  try {
    response = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(deps.timeoutMs), redirect: 'follow' });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError')
      throw new ToolFailure('E_TIMEOUT', `Search timed out after ${deps.timeoutMs / 1000} s`);
    throw new ToolFailure('E_HTTP', 'Search request failed', {
      exception: error instanceof Error ? error.message : String(error),
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ToolFailure('E_HTTP', `Search provider answered HTTP ${response.status}`, { status: response.status });
  }
  const { body } = await readCapped(response, deps.maxBytes);
  return new TextDecoder().decode(body);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ToolFailure('E_HTTP', 'Search provider returned invalid JSON');
  }
}

/** A JSON API's result list as rows; `snippetField` names the field holding the snippet. Missing fields read ''. */
function jsonRows(results: unknown[] | null, snippetField: string): SearchRow[] {
  const text = (row: unknown, name: string) => String(jsonField(row, name) ?? '');
  return (results ?? []).map((row) => ({
    title: text(row, 'title'),
    url: text(row, 'url'),
    snippet: text(row, snippetField),
  }));
}

/**
 * Removes what `/<[^>]+>/g` removes (a `<`, at least one character, the next `>`), in one pass: the regex
 * rescans to the end from every `<` that has no `>` after it, quadratic on a snippet of `<<<<…`.
 */
export function stripTags(text: string): string {
  let kept = '';
  let from = 0;
  for (let open = text.indexOf('<'); open !== -1; open = text.indexOf('<', from)) {
    // `<>` is no tag: the scan goes on from the `>`.
    if (text.charAt(open + 1) === '>') {
      kept += text.slice(from, open + 1);
      from = open + 1;
      continue;
    }
    const close = text.indexOf('>', open + 1);
    // No `>` after this `<`, so none after any later `<` either.
    if (close === -1) break;
    kept += text.slice(from, open);
    from = close + 1;
  }
  return kept + text.slice(from);
}

/** DuckDuckGo wraps result links as `//duckduckgo.com/l/?uddg=<target>`: returns the target. */
export function decodeDuckDuckGoLink(href: string): string {
  try {
    // Attribute rules: `&copy=2` in a query string stays as written, where text would read it as `©=2`.
    const url = new URL(decodeHTMLAttribute(href), 'https://duckduckgo.com');
    const target = url.searchParams.get('uddg');
    if (target) return target;
    return url.toString();
  } catch {
    // Not a link the URL parser reads: keep it as the page gave it.
    return href;
  }
}

async function parseDuckDuckGo(html: string): Promise<SearchRow[]> {
  const rows: SearchRow[] = [];
  let inTitle = false;
  let inSnippet = false;
  await new HTMLRewriter()
    .on('a.result__a', {
      element(element) {
        rows.push({ title: '', url: decodeDuckDuckGoLink(element.getAttribute('href') ?? ''), snippet: '' });
        inTitle = true;
        element.onEndTag(() => void (inTitle = false));
      },
      text(chunk) {
        if (inTitle && rows.length > 0) rows.at(-1)!.title += chunk.text;
      },
    })
    .on('.result__snippet', {
      element(element) {
        inSnippet = true;
        element.onEndTag(() => void (inSnippet = false));
      },
      text(chunk) {
        if (inSnippet && rows.length > 0) rows.at(-1)!.snippet += chunk.text;
      },
    })
    .transform(new Response(html))
    .text();
  return rows.map((row) => ({
    title: decodeEntities(row.title).trim(),
    url: row.url,
    snippet: decodeEntities(row.snippet).replace(/\s+/g, ' ').trim(),
  }));
}

/** Runs one search with the configured provider. Throws ToolFailure (E_HTTP, E_TIMEOUT) on provider trouble. */
export async function searchWeb(
  settings: SearchSettings,
  search: SearchRequest,
  deps: ProviderDeps,
): Promise<SearchRow[]> {
  const base = settings.base_url ?? DEFAULT_ENDPOINTS[settings.provider];
  const keyOf = (provider: 'brave' | 'tavily') => {
    const name = settings.api_key_env ?? DEFAULT_KEY_ENV[provider];
    const key = deps.env[name];
    if (!key)
      throw new ToolFailure(
        'E_HTTP',
        `Web search provider '${provider}' needs an API key in the environment variable ${name}`,
        { env: name },
      );
    return key;
  };
  switch (settings.provider) {
    case 'duckduckgo_html': {
      const url = new URL(base);
      url.searchParams.set('q', search.query);
      const range = recencyCode(search.recencyDays, ['d', 'w', 'm', 'y']);
      if (range) url.searchParams.set('df', range);
      return parseDuckDuckGo(
        await request(deps, url.toString(), { headers: { 'User-Agent': 'Mozilla/5.0 (compatible; mini-openclaw)' } }),
      );
    }
    case 'searxng': {
      const url = new URL('search', base.endsWith('/') ? base : `${base}/`);
      url.searchParams.set('q', search.query);
      url.searchParams.set('format', 'json');
      const range = recencyCode(search.recencyDays, ['day', 'week', 'month', 'year']);
      if (range) url.searchParams.set('time_range', range);
      const body = parseJson(await request(deps, url.toString(), { headers: { Accept: 'application/json' } }));
      return jsonRows(jsonList(body, 'results'), 'content');
    }
    case 'brave': {
      const url = new URL(base);
      url.searchParams.set('q', search.query);
      url.searchParams.set('count', String(Math.min(20, search.count)));
      const range = recencyCode(search.recencyDays, ['pd', 'pw', 'pm', 'py']);
      if (range) url.searchParams.set('freshness', range);
      const body = parseJson(
        await request(deps, url.toString(), {
          headers: { Accept: 'application/json', 'X-Subscription-Token': keyOf('brave') },
        }),
      );
      return jsonRows(jsonList(jsonField(body, 'web'), 'results'), 'description').map((row) => ({
        ...row,
        snippet: stripTags(row.snippet),
      }));
    }
    case 'tavily': {
      const payload: Record<string, unknown> = {
        query: search.query,
        max_results: Math.min(20, search.count),
        topic: 'general',
      };
      if (search.allowedDomains.length > 0) payload.include_domains = search.allowedDomains;
      if (search.blockedDomains.length > 0) payload.exclude_domains = search.blockedDomains;
      if (search.recencyDays !== null) payload.days = search.recencyDays;
      const body = parseJson(
        await request(deps, base, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${keyOf('tavily')}` },
          body: JSON.stringify(payload),
        }),
      );
      return jsonRows(jsonList(body, 'results'), 'content');
    }
  }
}
