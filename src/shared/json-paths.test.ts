import { describe, expect, it } from 'bun:test';
import { pathsWhere } from './json-paths';

const isX = (key: string) => key === 'x';
const isBad = (value: unknown) => value === 'bad';

describe('pathsWhere', () => {
  it('names matching keys (not looked into) and values by dotted path, array items by index', () => {
    const value = JSON.parse('{"a": {"x": {"x": 1}}, "b": [1, "bad", {"c": "bad", "x": 2}], "x": "bad"}');
    expect(pathsWhere(value, isX, isBad)).toEqual(['a.x', 'b.1', 'b.2.c', 'b.2.x', 'x']);
    expect(pathsWhere('bad', isX, isBad)).toEqual(['']);
    expect(pathsWhere([[['bad']]], isX, isBad)).toEqual(['0.0.0']);
    expect(pathsWhere({ a: [1, 2] }, isX)).toEqual([]);
  });
});
