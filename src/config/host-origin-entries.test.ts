import { describe, expect, it } from 'bun:test';
import { normaliseTrustedHost } from './host-origin-entries';

describe('normaliseTrustedHost', () => {
  it('keeps names, addresses and wildcards, lower-cased; drops IPv6 brackets', () => {
    const entries = ['*', 'Moc.Example.com', '*.example.com', '127.0.0.1', 'my_host', '::1', '[::1]', '[FD00::2]'];
    expect(entries.map(normaliseTrustedHost)).toEqual([
      '*',
      'moc.example.com',
      '*.example.com',
      '127.0.0.1',
      'my_host',
      '::1',
      '::1',
      'fd00::2',
    ]);
  });

  it('refuses a port, a scheme, a path or anything no Host header carries', () => {
    const entries = [
      'localhost:27270',
      'http://moc.example.com',
      'moc.example.com/',
      '[::1]:8002',
      '*.',
      '*.[::1]',
      'a b',
    ];
    expect(entries.map(normaliseTrustedHost)).toEqual(entries.map(() => null));
  });
});
