import { describe, expect, it } from 'bun:test';
import { readModelOverrides } from './model-overrides';

const read = (raw: string) => {
  const { overrides, bad } = readModelOverrides(raw);
  return { overrides: [...overrides], bad };
};

describe('readModelOverrides', () => {
  it('reads a JSON object and the from=to form, keys lower-cased, the last duplicate kept', () => {
    expect(read(' {"GPT-4o":"gpt-4o-mini","b":" c "} ')).toEqual({
      overrides: [
        ['gpt-4o', 'gpt-4o-mini'],
        ['b', 'c'],
      ],
      bad: [],
    });
    expect(read('a=b, A=c ,x=y=z,')).toEqual({
      overrides: [
        ['a', 'c'],
        ['x', 'y=z'],
      ],
      bad: [],
    });
    expect(read('')).toEqual({ overrides: [], bad: [] });
    expect(read('{}')).toEqual({ overrides: [], bad: [] });
  });

  it('names what it cannot read, keeping what it can', () => {
    expect(read('a=b,junk,=c,d=')).toEqual({ overrides: [['a', 'b']], bad: ['junk', '=c', 'd='] });
    expect(read('{"a":"b","n":5,"":"x"}')).toEqual({ overrides: [['a', 'b']], bad: ['"n": 5', '"": "x"'] });
    expect(read('{"a":"b"')).toEqual({ overrides: [], bad: ['{"a":"b"'] });
    expect(read('[1,2]')).toEqual({ overrides: [], bad: ['[1,2]'] });
  });
});
