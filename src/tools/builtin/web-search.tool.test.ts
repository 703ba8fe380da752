import { describe, expect, it } from 'bun:test';
import { createToolHarness } from '../../../test/support/tool-harness';
import { canonicalUrl } from './web-search.tool';

describe('canonicalUrl', () => {
  it('keeps scheme, lower-cased host without outer dots, and path', () => {
    const urls = ['https://EXAMPLE.com./a?b#c', 'http://.a.b./x', 'https://a....b', 'not a url'];
    expect(urls.map(canonicalUrl)).toEqual(['https://example.com/a', 'http://a.b/x', 'https://a....b/', null]);
  });

  it('drops a URL longer than a fetch_url argument may be, dotted host or not', () => {
    expect(canonicalUrl(`https://a${'.'.repeat(100_000)}b/`)).toBeNull();
    expect(canonicalUrl(`https://a.example/${'p'.repeat(8_200)}`)).toBeNull();
    expect(canonicalUrl(`https://a${'.'.repeat(8_000)}b./`)).toBe(`https://a${'.'.repeat(8_000)}b/`);
  }, 2000);
});

describe('web_search', () => {
  it('cuts provider titles and snippets to a readable length', async () => {
    const results = [
      { title: 't'.repeat(5_000), url: 'https://a.example/1', description: `<b>${'s'.repeat(50_000)}</b>` },
      { title: 'Short', url: 'https://b.example/2', description: 'from <strong>brave</strong>' },
    ];
    const fake = async () => Response.json({ web: { results } });
    using harness = createToolHarness({
      config: { tool_web_search: { provider: 'brave' } },
      env: { BRAVE_SEARCH_API_KEY: 'key' },
      fetch: Object.assign(fake, { preconnect: fetch.preconnect }),
    });
    const found = await harness.call('web_search', { query: 'q' });
    expect(
      found.data.results.map((row: { title: string; snippet: string }) => [row.title.length, row.snippet]),
    ).toEqual([
      [500, 's'.repeat(2_000)],
      [5, 'from brave'],
    ]);
  });
});
