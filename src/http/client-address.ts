// The client address rate limits and the auth lockout key on: the socket peer, or what trusted proxies forwarded.
import { addressGroups, isInRange, type IpRange } from '../shared/ip-address';

/** Hops looked at from the right; a longer chain of trusted proxies is not plausible. */
const MAX_HOPS = 32;

const isTrusted = (address: string, trusted: readonly IpRange[]) => {
  const groups = addressGroups(address);
  return groups !== null && trusted.some((range) => isInRange(groups, range));
};

/** Splits `text` at `separator` outside double-quoted strings (RFC 7230 quoted-string, backslash escapes). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted && char === '\\') current += char + (text[++index] ?? '');
    else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

/** A node as written in a header, without quotes, brackets or port: `"[2001:db8::1]:4711"` -> `2001:db8::1`. */
function bareAddress(node: string): string {
  const text = node
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/\\(.)/g, '$1');
  if (text.startsWith('[')) return text.slice(1, text.indexOf(']') > 0 ? text.indexOf(']') : 1);
  // One colon means IPv4 with a port (`192.0.2.1:8080`); more mean a bare IPv6 address.
  return text.indexOf(':') === text.lastIndexOf(':') ? text.split(':')[0]! : text;
}

/** The `for=` node of each RFC 7239 `Forwarded` element, left to right ('' where an element has none). */
function forwardedFor(header: string): string[] {
  return splitOutsideQuotes(header, ',').map((element) => {
    const pair = splitOutsideQuotes(element, ';').find((part) => /^for\s*=/i.test(part));
    return pair ? bareAddress(pair.slice(pair.indexOf('=') + 1)) : '';
  });
}

/** The forwarding chain, oldest hop first: `X-Forwarded-For` when present, otherwise `Forwarded`. */
function forwardedHops(headers: Headers): string[] {
  const xForwardedFor = headers.get('x-forwarded-for');
  if (xForwardedFor !== null) return xForwardedFor.split(',').map(bareAddress);
  const forwarded = headers.get('forwarded');
  return forwarded !== null ? forwardedFor(forwarded) : [];
}

/**
 * The address a request is counted under. Only when the socket peer lies in `trustedProxies` are the
 * forwarding headers read, walking from the right past trusted hops to the first untrusted one: the
 * last address a trusted proxy vouches for, so hops a client prepends change nothing. A hop that is
 * not an IP address (garbage, `unknown`, an obfuscated `_name`) makes the peer count instead; so does
 * a request without forwarding headers. No peer at all counts as `unknown`.
 */
export function clientAddress(peer: string | undefined, headers: Headers, trustedProxies: readonly IpRange[]): string {
  if (!peer) return 'unknown';
  if (trustedProxies.length === 0 || !isTrusted(peer, trustedProxies)) return peer;
  const hops = forwardedHops(headers);
  let client = peer;
  for (let index = hops.length - 1; index >= Math.max(0, hops.length - MAX_HOPS); index--) {
    const hop = hops[index]!.toLowerCase();
    if (addressGroups(hop) === null) return peer;
    client = hop;
    if (!isTrusted(hop, trustedProxies)) return hop;
  }
  // Every hop is a trusted proxy: the leftmost one seen is the closest to the client.
  return client;
}
