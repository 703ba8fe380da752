import { describe, expect, it } from 'bun:test';
import { checkAddress, checkLiteralHost } from './url-guard';

const literal = (raw: string) => checkLiteralHost(new URL(raw), raw).allowed;

describe('checkAddress', () => {
  it('allows public addresses and refuses every non-public range', () => {
    expect(
      ['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'].map(
        (address) => checkAddress(address).allowed,
      ),
    ).toEqual([true, true, true, true, true]);
    const blocked = [
      '0.1.2.3',
      '10.1.1.1',
      '100.127.255.254',
      '127.255.0.1',
      '169.254.0.1',
      '172.31.255.255',
      '192.0.2.9',
      '192.168.0.1',
      '198.19.1.1',
      '224.1.1.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:8.8.8.8',
      'fe80::1%eth0',
      'fd00::1',
      'ff05::2',
      '64:ff9b::808:808',
      '2001:db8::1',
      '2002:c0a8::1',
      '2001::1',
    ];
    expect(blocked.filter((address) => checkAddress(address).allowed)).toEqual([]);
    expect(checkAddress('not-an-ip').allowed).toBe(false);
  });
});

describe('checkLiteralHost', () => {
  it('refuses local names and odd IPv4 spellings as typed, accepts ordinary names', () => {
    expect(
      [
        'http://example.com/',
        'https://docs.bun.sh/x',
        'http://8.8.8.8/',
        'http://cafe.be/',
        'http://1password.com/',
      ].map(literal),
    ).toEqual([true, true, true, true, true]);
    expect(
      [
        'http://localhost/',
        'http://a.b.localhost/',
        'http://x.local/',
        'http://metadata.google.internal/',
        'http://0x08080808/',
        'http://134744072/',
        'http://8.8.010.8/',
        'http://8.8.8/',
      ].map(literal),
    ).toEqual([false, false, false, false, false, false, false, false]);
  });
});
