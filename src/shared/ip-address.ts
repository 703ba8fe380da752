// IP addresses and CIDR ranges: IPv4, IPv6 and IPv4-mapped IPv6 as eight 16-bit groups, and range membership.
//
// Ours on purpose: `node:net` already validates (`isIP`), and what is left is the one 128-bit model that
// both the trusted-proxy list (`10.0.0.0/8` matching `::ffff:10.1.2.3`) and the SSRF guard (which reads
// the groups to refuse NAT64, 6to4, mapped and private IPv6) use. `net.BlockList` matches ranges but
// hides the groups; `ipaddr.js` keeps IPv4 and IPv6 as separate kinds, so the mapped-form glue would stay.
import { isIP } from 'node:net';

/** A dotted IPv4 address as an unsigned 32-bit number (no validation: check with `isIP` first). */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0);
}

/** Expands an IPv6 address (embedded IPv4 and zone allowed) into eight 16-bit groups. */
export function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const value = ipv4ToNumber(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].map((group) => parseInt(group, 16));
}

/**
 * Any IP address as eight 16-bit groups, an IPv4 address in its IPv4-mapped IPv6 form
 * (`::ffff:a.b.c.d`), so `127.0.0.1` and `::ffff:127.0.0.1` compare equal. Null when `text` is not an IP.
 */
export function addressGroups(text: string): number[] | null {
  const family = isIP(text);
  if (family === 4) {
    const value = ipv4ToNumber(text);
    return [0, 0, 0, 0, 0, 0xffff, value >>> 16, value & 0xffff];
  }
  return family === 6 ? ipv6Groups(text) : null;
}

/** A CIDR range over the 128-bit (IPv4-mapped for IPv4) address space. */
export interface IpRange {
  groups: readonly number[];
  /** Leading bits that must match, 0 to 128. */
  bits: number;
}

/**
 * `10.0.0.0/8`, `fd00::/8`, or a bare address (a range of one). Null for anything else: a prefix
 * longer than the family allows, a non-numeric prefix, a host name.
 */
export function parseIpRange(text: string): IpRange | null {
  const [address = '', prefix, extra] = text.trim().split('/');
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return null;
  const groups = addressGroups(address);
  if (!groups) return null;
  const width = isIP(address) === 4 ? 32 : 128;
  const bits = prefix === undefined ? width : Number(prefix);
  if (bits > width) return null;
  return { groups, bits: bits + 128 - width };
}

/** True when the address `groups` (from `addressGroups`) lies inside `range`. */
export function isInRange(groups: readonly number[], range: IpRange): boolean {
  for (let index = 0, remaining = range.bits; remaining > 0; index++, remaining -= 16) {
    const mask = (0xffff << (16 - Math.min(16, remaining))) & 0xffff;
    if ((groups[index]! & mask) !== (range.groups[index]! & mask)) return false;
  }
  return true;
}
