import { describe, expect, it } from 'bun:test';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { countTokens } from './token-counter';

const exact = new Tiktoken(o200k);

describe('countTokens', () => {
  it('matches whole-text o200k encoding on ordinary text, JSON, code and other scripts', () => {
    const samples = [
      'Hello world, this is a test.',
      'The quick brown fox jumps over the lazy dog.\n'.repeat(300),
      JSON.stringify({ user: 'ada', items: [1, 2, 3], note: 'x'.repeat(40) }).repeat(80),
      'function add(a, b) {\n  return a + b; // sum\n}\n'.repeat(120),
      '日本語のテキストです。'.repeat(300),
      'Ünïcödé façade — naïve café 😀🚀 '.repeat(150),
      '',
    ];
    for (const text of samples)
      expect({ length: text.length, count: countTokens(text) }).toEqual({
        length: text.length,
        count: text ? exact.encode(text, 'all').length : 0,
      });
  });

  it('counts long runs without whitespace without the quadratic blow-up that blocked the server', () => {
    // One 10 KB word took 6 s before; these would take minutes.
    expect(countTokens('a'.repeat(1_000_000))).toBeGreaterThan(0);
    expect(countTokens('Zq9'.repeat(300_000))).toBeGreaterThan(0);
  });
});
