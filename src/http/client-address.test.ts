import { describe, expect, it } from 'bun:test';
import { parseIpRange, type IpRange } from '../shared/ip-address';
import { clientAddress } from './client-address';

const ranges = (...texts: string[]) => texts.map((text) => parseIpRange(text)!) as IpRange[];
const TRUSTED = ranges('127.0.0.1/32', '10.0.0.0/8', 'fd00::/8');
const from = (peer: string | undefined, headers: Record<string, string>, trusted = TRUSTED) =>
  clientAddress(peer, new Headers(headers), trusted);

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted or the peer is not one of them', () => {
    expect(from('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' }, [])).toBe('203.0.113.9');
    expect(from('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' })).toBe('203.0.113.9');
    expect(from('127.0.0.1', {})).toBe('127.0.0.1');
    expect(from(undefined, { 'x-forwarded-for': '198.51.100.1' })).toBe('unknown');
  });

  it('takes the rightmost untrusted X-Forwarded-For hop from a trusted peer, IPv4-mapped peers included', () => {
    expect(from('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).toBe('198.51.100.1');
    expect(from('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).toBe('198.51.100.1');
    expect(from('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.1, 10.1.2.3' })).toBe('198.51.100.1');
    expect(from('127.0.0.1', { 'x-forwarded-for': '2001:DB8::7, fd00::2' })).toBe('2001:db8::7');
    expect(from('127.0.0.1', { 'x-forwarded-for': '198.51.100.1:4711, [2001:db8::1]:80' })).toBe('2001:db8::1');
    expect(from('127.0.0.1', { 'x-forwarded-for': '10.0.0.7, 10.0.0.8' })).toBe('10.0.0.7');
  });

  it('reads RFC 7239 Forwarded when there is no X-Forwarded-For, quoted IPv6 with port included', () => {
    expect(from('127.0.0.1', { forwarded: 'for="[2001:db8::1]:4711"' })).toBe('2001:db8::1');
    expect(
      from('127.0.0.1', { forwarded: 'for=6.6.6.6, for=198.51.100.1;proto=https;by=10.0.0.1, For=10.0.0.2' }),
    ).toBe('198.51.100.1');
    expect(from('127.0.0.1', { forwarded: 'proto=https;for="198.51.100.1:80";host="a,b;c"' })).toBe('198.51.100.1');
    expect(from('127.0.0.1', { forwarded: 'for=6.6.6.6', 'x-forwarded-for': '198.51.100.1' })).toBe('198.51.100.1');
  });

  it('falls back to the peer on anything that is not an address', () => {
    const garbage: Record<string, string>[] = [
      { 'x-forwarded-for': 'not-an-ip' },
      { 'x-forwarded-for': '' },
      { 'x-forwarded-for': ',,,' },
      { 'x-forwarded-for': '198.51.100.1, garbage' },
      { 'x-forwarded-for': 'garbage, 10.0.0.1' },
      { 'x-forwarded-for': '999.1.1.1' },
      { 'x-forwarded-for': '[2001:db8::1' },
      { forwarded: 'for=unknown' },
      { forwarded: 'for=_hidden' },
      { forwarded: 'by=10.0.0.1' },
      { forwarded: 'for="[2001:db8::1' },
      { forwarded: 'for=' },
      { forwarded: '"""' },
    ];
    expect(garbage.map((headers) => from('127.0.0.1', headers))).toEqual(garbage.map(() => '127.0.0.1'));
  });
});
