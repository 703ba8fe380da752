import { describe, expect, it } from 'bun:test';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { countTokens, countTokensYielding } from './token-counter';

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

  it('matches whole-text encoding on random mixes of scripts, marks, emoji, whitespace and special tokens', () => {
    const parts = [
      'a',
      'e',
      'th',
      ' ',
      '  ',
      '\n',
      '\t',
      '\r\n',
      '0',
      '42',
      ',',
      '.',
      '!',
      "'s",
      '"',
      '{',
      '}',
      '日',
      '本',
      '😀',
      'é',
      'e\u0301',
      'Ü',
      'ß',
      'ﬁ',
      '’',
      '_',
      '/',
      '\\',
      '\ud800',
      'ALL',
      'Caps',
      '<|endoftext|>',
      '<|endofprompt|>',
    ];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const wrong: string[] = [];
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let part = Math.floor(next() * 120); part >= 0; part--) text += parts[Math.floor(next() * parts.length)];
      if (countTokens(text) !== exact.encode(text, 'all').length) wrong.push(text);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps line breaks with the punctuation before them where a long text is cut into pieces', () => {
    // Without whitespace the text runs past 4,096 characters in one piece, so the first cut falls on `\n\n`.
    for (const end of ['});\n\n', '.\n', '>\r\n', ')\n  ']) {
      const text = `${'a,'.repeat(2100)}end${end}next line\n`;
      expect(countTokens(text)).toBe(exact.encode(text, 'all').length);
    }
  });

  it('counts long whitespace runs exactly and a megabyte of them at once (10 s for 10,000 spaces before)', () => {
    // The last one is cut twice (runs of 1,024), where o200k's space tokens split it anyway.
    for (const text of [
      ' '.repeat(1000),
      '\n'.repeat(1000),
      ' \n'.repeat(500),
      `${'\t'.repeat(999)}x`,
      `${' '.repeat(2049)}x`,
    ])
      expect(countTokens(text)).toBe(exact.encode(text, 'all').length);
    expect(countTokens(' '.repeat(1_000_000))).toBeGreaterThan(0);
  });

  it('never cuts a special token, even where a long run of punctuation ends in one', () => {
    for (const text of [
      `${'!'.repeat(63)}<|endoftext|>`,
      `${'<'.repeat(70)}<|endofprompt|>!!`,
      `a${'|'.repeat(64)}<|endoftext|>`,
    ])
      expect(countTokens(text)).toBe(exact.encode(text, 'all').length);
  });

  it('counts a long text in slices with the event loop free between them, to the same total', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20_000);
    let finished = false;
    let ranMeanwhile = false;
    setImmediate(() => {
      ranMeanwhile = !finished;
    });
    const count = await countTokensYielding(text);
    finished = true;
    expect(ranMeanwhile).toBe(true);
    expect(count).toBe(countTokens(text));
    expect(await countTokensYielding('')).toBe(0);
  });

  it('counts long runs without whitespace without the quadratic blow-up that blocked the server', () => {
    // One 10 KB word took 6 s before; these would take minutes.
    expect(countTokens('a'.repeat(1_000_000))).toBeGreaterThan(0);
    expect(countTokens('Zq9'.repeat(300_000))).toBeGreaterThan(0);
  });
});
