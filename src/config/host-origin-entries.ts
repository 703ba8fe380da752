// The forms APP_TRUSTED_HOSTS and APP_ALLOWED_ORIGINS entries take: what the Host and Origin headers they are
// compared with can hold. An entry no header can ever equal would refuse every request (or every page), silently.

const HOST_NAME = /^[a-z0-9._-]+$/;

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
