import { describe, expect, it } from 'bun:test';
import { decodeDuckDuckGoLink, searchWeb, stripTags } from './web-search-providers';

describe('decodeDuckDuckGoLink', () => {
  it('returns the target of a DuckDuckGo redirect link', () => {
    expect(
      decodeDuckDuckGoLink('//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.example.org%2Fguide%3Fref%3D1&amp;rut=abc'),
    ).toBe('https://docs.example.org/guide?ref=1');
  });

  it('decodes a direct link by attribute rules: a query parameter named like an entity stays', () => {
    expect(decodeDuckDuckGoLink('https://a.example/?q=1&amp;copy=2&copy=3')).toBe(
      'https://a.example/?q=1&copy=2&copy=3',
    );
  });
});

/** Every string of at most `maxLength` characters drawn from `alphabet`. */
function allStrings(alphabet: string[], maxLength: number): string[] {
  const all = [''];
  let level = [''];
  for (let length = 1; length <= maxLength; length++) {
    level = level.flatMap((text) => alphabet.map((char) => text + char));
    all.push(...level);
  }
  return all;
}

describe('stripTags', () => {
  it('removes what `/<[^>]+>/g` removes', () => {
    const samples = allStrings(['<', '>', 'a', ' '], 7);
    expect(samples.length).toBeGreaterThan(20_000);
    const differing = samples.filter((text) => stripTags(text) !== text.replace(/<[^>]+>/g, ''));
    expect(differing).toEqual([]);
    expect(stripTags('from <strong class="x">brave</strong> <> a < b > c')).toBe('from brave <> a  c');
  });

  it('strips a provider snippet of thousands of unclosed `<` in one pass', async () => {
    const description = `${'<'.repeat(150_000)}b`;
    const fake = async () =>
      Response.json({ web: { results: [{ title: 'T', url: 'https://a.example/', description }] } });
    const rows = await searchWeb(
      { provider: 'brave', max_results: 5 },
      { query: 'q', count: 5, recencyDays: null, allowedDomains: [], blockedDomains: [] },
      {
        env: { BRAVE_SEARCH_API_KEY: 'key' },
        fetch: Object.assign(fake, { preconnect: fetch.preconnect }),
        timeoutMs: 5000,
        maxBytes: 10_000_000,
      },
    );
    expect(rows).toEqual([{ title: 'T', url: 'https://a.example/', snippet: description }]);
  }, 2000);
});
