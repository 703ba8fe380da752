// SSRF guard for URLs the model asks for: literal host rules, then every resolved address, all fail closed.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ipv4ToNumber, ipv6Groups } from '../shared/ip-address';

/** Resolves a host name to every address it has (injectable so tests can map names to loopback). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

const BLOCKED_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
  'metadata',
  'metadata.goog',
  'instance-data',
  'kubernetes.default',
]);
const BLOCKED_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa', '.intranet', '.lan'];

/** [network, prefix length] pairs of IPv4 space that is not the public internet. */
const IPV4_BLOCKS: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved (6to4 relay)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function checkIpv4(address: string): AddressVerdict {
  const value = ipv4ToNumber(address);
  for (const [network, bits, label] of IPV4_BLOCKS) {
    const size = 2 ** (32 - bits);
    const start = ipv4ToNumber(network);
    if (value >= start && value < start + size) return { allowed: false, reason: `Address ${address} is ${label}` };
  }
  return { allowed: true };
}

function checkIpv6(address: string): AddressVerdict {
  const groups = ipv6Groups(address);
  const refuse = (label: string): AddressVerdict => ({ allowed: false, reason: `Address ${address} is ${label}` });
  const [g0, g1] = groups as [number, number];
  if (groups.slice(0, 5).every((group) => group === 0)) {
    if (groups[5] === 0xffff) return refuse('IPv4-mapped');
    if (groups[5] === 0)
      return groups[6] === 0 && groups[7]! <= 1
        ? refuse('loopback or unspecified')
        : refuse('IPv4-compatible (deprecated)');
  }
  if (g0 === 0x64 && g1 === 0xff9b) return refuse('NAT64 (embeds IPv4)');
  if (g0 === 0x100 && groups.slice(1, 4).every((group) => group === 0)) return refuse('discard-only');
  if (g0 === 0x2001 && g1 < 0x200) return refuse('IETF protocol assignment (Teredo and others)');
  if (g0 === 0x2001 && g1 === 0xdb8) return refuse('documentation');
  if (g0 === 0x2002) return refuse('6to4 (embeds IPv4)');
  if ((g0 & 0xfe00) === 0xfc00) return refuse('unique local (private)');
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return refuse('link-local or site-local');
  if ((g0 & 0xff00) === 0xff00) return refuse('multicast');
  if ((g0 & 0xe000) !== 0x2000) return refuse('outside global unicast space');
  return { allowed: true };
}

/** Whether an IP address (v4 or v6) is public internet space. */
export function checkAddress(address: string): AddressVerdict {
  const family = isIP(address);
  if (family === 4) return checkIpv4(address);
  if (family === 6) return checkIpv6(address);
  return { allowed: false, reason: `Not an IP address: ${address}` };
}

/** The host exactly as typed in `raw` (userinfo and port removed), before the URL parser normalises it. */
function rawHostOf(raw: string): string {
  const afterScheme = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = afterScheme.split(/[/?#\\]/)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

const CANONICAL_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Checks the literal host of `url` (as typed in `raw`): blocked names and suffixes, IP literals in blocked
 * space, and any IPv4 spelled other than as four decimal parts (octal, hex, short, integer) fail closed.
 */
export function checkLiteralHost(url: URL, raw: string): AddressVerdict {
  const typed = decodeURIComponent(rawHostOf(raw)).toLowerCase().replace(/\.$/, '');
  const labels = typed.split('.');
  if (!typed.startsWith('[') && /^(0x[0-9a-f]*|\d+)$/i.test(labels.at(-1) ?? '') && !CANONICAL_IPV4.test(typed)) {
    return { allowed: false, reason: `Unusual IPv4 spelling '${typed}' is refused` };
  }
  const host = url.hostname
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[|\]$/g, '');
  if (!host) return { allowed: false, reason: 'URL has no host' };
  if (BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix)))
    return { allowed: false, reason: `Host '${host}' is local` };
  if (isIP(host)) return checkAddress(host);
  return { allowed: true };
}
