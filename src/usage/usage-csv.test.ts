import { describe, expect, it } from 'bun:test';
import { csvField } from './usage-csv';

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, defuses formulas, and leaves numbers and plain text alone', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(0.0000805)).toBe('0.0000805');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
  });
});
