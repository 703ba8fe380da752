import { describe, expect, it } from 'bun:test';
import { decodeDuckDuckGoLink } from './web-search-providers';

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
