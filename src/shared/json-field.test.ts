import { describe, expect, it } from 'bun:test';
import { jsonField, jsonList } from './json-field';

describe('jsonField', () => {
  it('reads a field of an object or an array, and nothing from null or a scalar', () => {
    const parsed: unknown = JSON.parse('{"a":{"b":[1,2]},"n":null}');
    expect(jsonField(jsonField(parsed, 'a'), 'b')).toEqual([1, 2]);
    expect(jsonField(parsed, 'n')).toBeNull();
    expect(jsonField(parsed, 'missing')).toBeUndefined();
    expect(jsonField(['x'], '0')).toBe('x');
    for (const scalar of [null, undefined, 5, 'text', true]) expect(jsonField(scalar, 'a')).toBeUndefined();
  });
});

describe('jsonList', () => {
  it('returns the field when it is an array, null otherwise', () => {
    const parsed: unknown = JSON.parse('{"rows":[{"x":1}],"one":{"x":1},"text":"[]"}');
    expect(jsonList(parsed, 'rows')).toEqual([{ x: 1 }]);
    expect(jsonList(parsed, 'one')).toBeNull();
    expect(jsonList(parsed, 'text')).toBeNull();
    expect(jsonList(parsed, 'missing')).toBeNull();
    expect(jsonList(null, 'rows')).toBeNull();
  });
});
