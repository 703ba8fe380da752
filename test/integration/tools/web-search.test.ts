import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createToolHarness } from '../../support/tool-harness';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}
let provider: ReturnType<typeof Bun.serve>;
const seen: Seen[] = [];
let base = '';

const DDG_HTML = `<html><body>
<div class="result"><h2><a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.openclaw.ai%2Fguide%3Fref%3D1&amp;rut=abc">OpenClaw &amp; Guide</a></h2>
<a class="result__snippet" href="x">The <b>guide</b> to tools.</a></div>
<div class="result"><h2><a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.openclaw.ai%2Fguide%3Fref%3D2">Duplicate</a></h2></div>
<div class="result"><h2><a class="result__a" href="https://spam.example.com/page">Spam</a></h2><div class="result__snippet">Buy now</div></div>
<div class="result"><h2><a class="result__a" href="https://other.org/a">Other</a></h2><div class="result__snippet">Something else</div></div>
</body></html>`;

beforeAll(() => {
  provider = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      });
      if (url.pathname === '/html/') return new Response(DDG_HTML, { headers: { 'content-type': 'text/html' } });
      if (url.pathname === '/searx/search')
        return Response.json({
          results: [{ title: 'Searx hit', url: 'https://searx.example/a?x=1', content: 'from searx' }],
        });
      if (url.pathname === '/brave')
        return Response.json({
          web: {
            results: [
              { title: 'Brave hit', url: 'https://brave.example/b', description: 'from <strong>brave</strong>' },
            ],
          },
        });
      if (url.pathname === '/tavily')
        return Response.json({
          results: [{ title: 'Tavily hit', url: 'https://tavily.example/c', content: 'from tavily', score: 0.9 }],
        });
      if (url.pathname === '/odd/search')
        return Response.json({
          results: [null, 'a string', 7, { title: 'Kept', url: 'https://kept.example/k', content: 'the one real row' }],
        });
      if (url.pathname === '/down') return new Response('nope', { status: 503 });
      return new Response('not found', { status: 404 });
    },
  });
  base = `http://127.0.0.1:${provider.port}`;
});
afterAll(() => provider.stop(true));

const searchConfig = (settings: Record<string, unknown>) => ({ tool_web_search: settings });

describe('web_search', () => {
  it('scrapes DuckDuckGo HTML, decodes its redirect links, dedupes, filters domains and keeps order', async () => {
    using harness = createToolHarness({ config: searchConfig({ base_url: `${base}/html/` }) });
    const all = await harness.call('web_search', { query: 'openclaw tools', recency_days: 7 });
    expect(seen.at(-1)!.query).toEqual({ q: 'openclaw tools', df: 'w' });
    expect(all.data).toEqual({
      query: 'openclaw tools',
      provider: 'duckduckgo_html',
      recency_days: 7,
      results: [
        {
          title: 'OpenClaw & Guide',
          url: 'https://docs.openclaw.ai/guide?ref=1',
          snippet: 'The guide to tools.',
          source: 'duckduckgo_html',
          canonical_url: 'https://docs.openclaw.ai/guide',
        },
        {
          title: 'Spam',
          url: 'https://spam.example.com/page',
          snippet: 'Buy now',
          source: 'duckduckgo_html',
          canonical_url: 'https://spam.example.com/page',
        },
        {
          title: 'Other',
          url: 'https://other.org/a',
          snippet: 'Something else',
          source: 'duckduckgo_html',
          canonical_url: 'https://other.org/a',
        },
      ],
    });
    const allowed = await harness.call('web_search', { query: 'openclaw', allowed_domains: ['openclaw.ai'] });
    expect(allowed.data.results.map((row: any) => row.url)).toEqual(['https://docs.openclaw.ai/guide?ref=1']);
    const blocked = await harness.call('web_search', {
      query: 'openclaw',
      blocked_domains: ['.example.com'],
      count: 1,
    });
    expect(blocked.data.results.map((row: any) => row.url)).toEqual(['https://docs.openclaw.ai/guide?ref=1']);
  });

  it('asks SearXNG for JSON with a time range', async () => {
    using harness = createToolHarness({ config: searchConfig({ provider: 'searxng', base_url: `${base}/searx` }) });
    const result = await harness.call('web_search', { query: 'bun', recency_days: 30 });
    expect(seen.at(-1)).toEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/searx/search',
        query: { q: 'bun', format: 'json', time_range: 'month' },
      }),
    );
    expect(result.data.results).toEqual([
      {
        title: 'Searx hit',
        url: 'https://searx.example/a?x=1',
        snippet: 'from searx',
        source: 'searxng',
        canonical_url: 'https://searx.example/a',
      },
    ]);
  });

  it('sends the Brave key from the configured variable and maps its rows', async () => {
    using harness = createToolHarness({
      env: { MY_BRAVE: 'brave-key-1' },
      config: searchConfig({ provider: 'brave', base_url: `${base}/brave`, api_key_env: 'MY_BRAVE' }),
    });
    const result = await harness.call('web_search', { query: 'zod', limit: 2, recency_days: 1 });
    const request = seen.at(-1)!;
    expect([request.query, request.headers['x-subscription-token']]).toEqual([
      { q: 'zod', count: '6', freshness: 'pd' },
      'brave-key-1',
    ]);
    expect(result.data.results[0]).toEqual({
      title: 'Brave hit',
      url: 'https://brave.example/b',
      snippet: 'from brave',
      source: 'brave',
      canonical_url: 'https://brave.example/b',
    });
  });

  it('posts to Tavily with a bearer key and domain lists', async () => {
    using harness = createToolHarness({
      env: { TAVILY_API_KEY: 'tvly-key' },
      config: searchConfig({ provider: 'tavily', base_url: `${base}/tavily` }),
    });
    const result = await harness.call('web_search', {
      query: 'elysia',
      allowed_domains: ['tavily.example'],
      recency_days: 3,
    });
    const request = seen.at(-1)!;
    expect([request.method, request.headers.authorization, JSON.parse(request.body)]).toEqual([
      'POST',
      'Bearer tvly-key',
      { query: 'elysia', max_results: 15, topic: 'general', include_domains: ['tavily.example'], days: 3 },
    ]);
    expect(result.data.results.map((row: any) => row.title)).toEqual(['Tavily hit']);
  });

  it('skips result entries that are not objects (null, a string, a number) and keeps the real rows', async () => {
    using harness = createToolHarness({ config: searchConfig({ provider: 'searxng', base_url: `${base}/odd` }) });
    const result = await harness.call('web_search', { query: 'odd' });
    expect(result.error).toBeNull();
    expect(result.data.results).toEqual([
      {
        title: 'Kept',
        url: 'https://kept.example/k',
        snippet: 'the one real row',
        source: 'searxng',
        canonical_url: 'https://kept.example/k',
      },
    ]);
  });

  it('fails with E_HTTP when the provider is down or its key is missing', async () => {
    using down = createToolHarness({ config: searchConfig({ provider: 'searxng', base_url: `${base}/down-base` }) });
    expect((await down.call('web_search', { query: 'x' })).error).toEqual(
      expect.objectContaining({ code: 'E_HTTP', retryable: true }),
    );
    using keyless = createToolHarness({ config: searchConfig({ provider: 'brave', base_url: `${base}/brave` }) });
    expect((await keyless.call('web_search', { query: 'x' })).error?.message).toBe(
      "Web search provider 'brave' needs an API key in the environment variable BRAVE_SEARCH_API_KEY",
    );
  });
});
