import { describe, expect, it } from 'bun:test';
import { errorMessageOf } from './redact';

describe('errorMessageOf', () => {
  it('keeps a short message whole, masked', () => {
    expect(errorMessageOf(new Error('401 bad key sk-abcdefghijklmnop'))).toBe('401 bad key [REDACTED]');
    expect(errorMessageOf('plain')).toBe('plain');
  });

  it('cuts a long one, counting the rest, and masks a key that straddles the cut', () => {
    const key = `sk-${'k'.repeat(40)}`;
    const text = `${'a'.repeat(1990)}${key}${'b'.repeat(100_000)}`;
    const message = errorMessageOf(new Error(text));
    expect(message.startsWith('a'.repeat(1990))).toBe(true);
    expect(message).not.toContain('sk-');
    expect(message).not.toContain('kkkk');
    expect(message.endsWith(`… (${text.length - 2000} more characters)`)).toBe(true);
  });
});
