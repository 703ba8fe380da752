import { describe, expect, it } from 'bun:test';
import { isNestedDeeperThan } from './json-depth';

describe('isNestedDeeperThan', () => {
  it('counts brackets and braces outside strings, escaped quotes included', () => {
    expect(isNestedDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(isNestedDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(isNestedDeeperThan('{"a":"[[[[\\"[[[["}', 1)).toBe(false);
    expect(isNestedDeeperThan('[[],[],[]]', 1)).toBe(true);
    expect(isNestedDeeperThan('[[],[],[]]', 2)).toBe(false);
  });

  it('stops at the first level past the limit, however deep the rest goes', () => {
    expect(isNestedDeeperThan(`${'['.repeat(10_000_000)}`, 64)).toBe(true);
  });
});
