import { describe, expect, it } from 'bun:test';
import { normaliseOrigin, normaliseTrustedHost } from './host-origin-entries';

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

describe('normaliseOrigin', () => {
  it('puts origins in the form of the Origin header: no trailing slash, no default port, lower-case', () => {
    const entries = [
      '*',
      'http://app.example.com/',
      'HTTPS://App.Example.com:443',
      'http://localhost:3000',
      'http://[::1]:8080/',
    ];
    expect(entries.map(normaliseOrigin)).toEqual([
      '*',
      'http://app.example.com',
      'https://app.example.com',
      'http://localhost:3000',
      'http://[::1]:8080',
    ]);
    expect(normaliseOrigin('chrome-extension://abcdefghijklmnop')).toBe('chrome-extension://abcdefghijklmnop');
  });

  it('refuses what no Origin header equals: a path, a query, credentials, no scheme, null', () => {
    const entries = [
      'http://app.example.com/app',
      'http://a.example?x=1',
      'http://u:p@a.example',
      'app.example.com',
      'null',
      'file:///x',
    ];
    expect(entries.map(normaliseOrigin)).toEqual(entries.map(() => null));
  });
});
