// Host header check: exact names, `*.example.com` for subdomains, `*` for any; the port is ignored.

/** The host name of a Host header value, lower-cased, without port or IPv6 brackets. */
export function hostNameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.lastIndexOf(':');
  return colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/**
 * A Host header is a name or IPv4 address with an optional port, or a bracketed IPv6 address with
 * one. Anything else ('#', '?', '/', '@', '\\', a second colon) would make the request URL
 * unparseable further in, so it is refused here.
 */
export function isWellFormedHost(hostHeader: string): boolean {
  const value = hostHeader.trim().toLowerCase();
  if (!/^[a-z0-9._-]+(:\d{1,5})?$/.test(value) && !/^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(value)) return false;
  // The URL parser has the last word (ports above 65535, malformed punycode such as `xn--.x`).
  try {
    new URL(`http://${value}/`);
    return true;
  } catch {
    // The URL parser refuses it: not a host this server answers for.
    return false;
  }
}

export function isTrustedHost(hostHeader: string | null, trusted: readonly string[]): boolean {
  if (hostHeader && !isWellFormedHost(hostHeader)) return false;
  if (trusted.includes('*')) return true;
  if (!hostHeader) return false;
  const host = hostNameOf(hostHeader);
  return trusted.some((pattern) => {
    const rule = pattern.toLowerCase();
    if (rule.startsWith('*.')) return host.endsWith(rule.slice(1)) && host.length > rule.length - 1;
    return host === rule;
  });
}
