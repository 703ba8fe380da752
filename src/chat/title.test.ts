import { describe, expect, it } from 'bun:test';
import { cleanTitle, fallbackTitle } from './title';

describe('cleanTitle', () => {
  it('keeps the first line without quotes, markup or trailing punctuation, at most 10 words and 60 characters', () => {
    const replies = [
      '"Trip to Rome."\nSecond line',
      '# **Weekly plan!!**',
      '  “Quoted title”  ',
      'one two three four five six seven eight nine ten eleven',
      `${'x'.repeat(70)} tail`,
      '"..."',
      '',
    ];
    expect(replies.map(cleanTitle)).toEqual([
      'Trip to Rome',
      'Weekly plan',
      'Quoted title',
      'one two three four five six seven eight nine ten',
      'x'.repeat(60),
      '',
      '',
    ]);
  });

  it('cleans a first line with long runs of spaces, quotes or dots in one pass', () => {
    expect(cleanTitle(`a${' '.repeat(60_000)}b`)).toBe('a b');
    expect(cleanTitle(`a${'"'.repeat(60_000)}b`)).toBe(`a${'"'.repeat(59)}`);
    expect(cleanTitle(`a ${'.'.repeat(60_000)}b c.`)).toBe(`a ${'.'.repeat(58)}`);
  }, 2000);
});

describe('fallbackTitle', () => {
  it('takes the first words of the seed that fit, or a default', () => {
    expect([fallbackTitle('  plan my week  '), fallbackTitle(''), fallbackTitle('y'.repeat(80))]).toEqual([
      'plan my week',
      'New Session',
      'y'.repeat(60),
    ]);
  });
});
