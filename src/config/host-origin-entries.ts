// The forms APP_TRUSTED_HOSTS and APP_ALLOWED_ORIGINS entries take: what the Host and Origin headers they are
// compared with can hold. An entry no header can ever equal would refuse every request (or every page), silently.

const HOST_NAME = /^[a-z0-9._-]+$/;

/** What APP_TRUSTED_HOSTS entries must be, for the message that refuses one. */
export const TRUSTED_HOST_FORM =
  'must be host names as the Host header carries them, without scheme or port (such as moc.example.com, *.example.com, 127.0.0.1, ::1 or *)';

/** What APP_ALLOWED_ORIGINS entries must be, for the message that refuses one. */
export const ORIGIN_FORM =
  'must be origins, scheme://host[:port] without a path (such as https://app.example.com or http://localhost:3000), or *';

/**
 * A trusted-host entry as the Host check compares it (http/trusted-hosts.ts: the header's name, lower-cased, without
 * port or IPv6 brackets): `*`, a name or IPv4 address, `*.` and a name, or an IPv6 address (brackets dropped). Null
 * for anything else, such as a port (`localhost:27270`) or a scheme (`http://moc.example.com`): the port is never
 * compared, so dropping it would trust more than the entry says.
 */
export function normaliseTrustedHost(entry: string): string | null {
  const value = entry.trim().toLowerCase();
  if (value === '*') return value;
  const wildcard = value.startsWith('*.');
  const name = wildcard ? value.slice(2) : value;
  if (HOST_NAME.test(name) && URL.canParse(`http://${name}/`)) return value;
  if (wildcard) return null;
  const address = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  return /^[0-9a-f:.]+$/.test(address) && address.includes(':') && URL.canParse(`http://[${address}]/`)
    ? address
    : null;
}

/**
 * An allowed-origin entry in the form browsers send the Origin header in (the URL's origin: lower-case scheme and
 * host, no default port, no trailing slash), so `http://App.example.com:80/` matches `Origin: http://app.example.com`.
 * `*` stays; another scheme (a browser extension's origin) is kept as written when it has a host and nothing after it.
 * Null for a path, a query, credentials or no scheme (`app.example.com`): no Origin header ever equals those.
 */
export function normaliseOrigin(entry: string): string | null {
  const value = entry.trim();
  if (value === '*') return value;
  const url = URL.parse(value);
  if (!url || url.username || url.password || url.search || url.hash || !url.hostname) return null;
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.pathname === '/' ? url.origin : null;
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]+$/i.test(value) ? value : null;
}
