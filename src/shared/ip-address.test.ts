import { describe, expect, it } from 'bun:test';
import { addressGroups, ipv6Groups, isInRange, parseIpRange } from './ip-address';

const inside = (address: string, range: string) => isInRange(addressGroups(address)!, parseIpRange(range)!);

describe('ip-address', () => {
  it('expands IPv6 forms, embedded IPv4 included', () => {
    expect(ipv6Groups('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(ipv6Groups('2001:db8::8:800:200c:417a')).toEqual([0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]);
  });

  it('gives IPv4 its IPv4-mapped form, and null for anything that is not an address', () => {
    expect(addressGroups('127.0.0.1')).toEqual(addressGroups('::ffff:127.0.0.1'));
    expect(['localhost', '', '1.2.3', '01.2.3.4', '1.2.3.4:80', '[::1]', 'unknown'].map(addressGroups)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('tells addresses inside a range from those outside, across the mapped form', () => {
    expect(['10.0.0.1', '10.255.255.255', '::ffff:10.1.2.3'].map((address) => inside(address, '10.0.0.0/8'))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['11.0.0.0', '9.255.255.255', '::a00:1'].map((address) => inside(address, '10.0.0.0/8'))).toEqual([
      false,
      false,
      false,
    ]);
    expect([
      inside('127.0.0.1', '127.0.0.1/32'),
      inside('127.0.0.2', '127.0.0.1/32'),
      inside('127.0.0.1', '127.0.0.1'),
    ]).toEqual([true, false, true]);
    expect([inside('172.31.255.255', '172.16.0.0/12'), inside('172.32.0.0', '172.16.0.0/12')]).toEqual([true, false]);
    expect([
      inside('2001:db8::1', '2001:db8::/32'),
      inside('2001:db9::1', '2001:db8::/32'),
      inside('fe80::1%eth0', 'fe80::/10'),
    ]).toEqual([true, false, true]);
    expect([inside('1.2.3.4', '0.0.0.0/0'), inside('::1', '::/0'), inside('1.2.3.4', '::ffff:0:0/96')]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('refuses ranges that are not CIDR', () => {
    expect(
      ['10.0.0.0/33', '::/129', 'host/8', '10.0.0.0/-1', '10.0.0.0/1.5', '10.0.0.0/8/8', ''].map(parseIpRange),
    ).toEqual([null, null, null, null, null, null, null]);
  });
});
