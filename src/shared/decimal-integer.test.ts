import { describe, expect, it } from 'bun:test';
import { parseDecimalInteger } from './decimal-integer';

describe('parseDecimalInteger', () => {
  it('reads decimal digits, with spaces around and leading zeros', () => {
    expect(['0', '8080', ' 42 ', '0080', '\t7\n'].map(parseDecimalInteger)).toEqual([0, 8080, 42, 80, 7]);
  });

  it('refuses what Number() would also read: other bases, exponents, signs, fractions, blanks', () => {
    const refused = ['0x50', '0b11111', '0o17', '1e3', '+80', '-1', '80.0', '80.5', '8 0', '', ' ', 'Infinity', '٣'];
    expect(refused.map(parseDecimalInteger)).toEqual(refused.map(() => null));
  });
});
