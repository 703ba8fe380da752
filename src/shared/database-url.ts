// The PostgreSQL connection URL: what counts as valid, and how to show it without its password.

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);
const MASK = '***';
/** Query keys whose values are secrets (`password`, `sslpassword`...). */
const SECRET_KEY = /pass|secret|token/i;

/** The outcome of checking a database URL; `problem` never contains the password. */
export type DatabaseUrlCheck = { ok: true; url: string } | { ok: false; problem: string };

/**
 * Checks that `raw` is a `postgres://` or `postgresql://` URL with a host (or a unix socket folder in `?host=`,
 * `?path=` or `?socket=`, as Bun.sql reads them). Whitespace around it is dropped.
 * The problem text shows a PostgreSQL URL with its password masked, and no other value at all.
 */
export function checkDatabaseUrl(raw: string): DatabaseUrlCheck {
  const text = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // Echoing an unparsable value could print a password, so only its shape is described.
    return { ok: false, problem: 'is not a URL (expected postgres://user:password@host:5432/database)' };
  }
  // Not echoed: what is not a PostgreSQL URL may hold a password where masking cannot find it (`host:5432 pw`).
  if (!PROTOCOLS.has(parsed.protocol)) return { ok: false, problem: 'must start with postgres:// or postgresql://' };
  const socket =
    parsed.searchParams.get('host') ?? parsed.searchParams.get('path') ?? parsed.searchParams.get('socket');
  if (!parsed.hostname && !socket) {
    return { ok: false, problem: `names no host: add one, or ?host=/folder/of/the/socket (${maskDatabaseUrl(text)})` };
  }
  return { ok: true, url: text };
}

/**
 * `raw` with the password and secret query values replaced by `***`, for messages and logs. A value that is not
 * a PostgreSQL URL becomes a placeholder, since its password could sit anywhere in it.
 */
export function maskDatabaseUrl(raw: string): string {
  try {
    const parsed = new URL(raw.trim());
    if (!PROTOCOLS.has(parsed.protocol)) return '(not a PostgreSQL URL)';
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_KEY.test(key)) parsed.searchParams.set(key, MASK);
    }
    return parsed.toString();
  } catch {
    // Not a URL at all: nothing in it can be shown safely, so it is named, never echoed.
    return '(unparsable URL)';
  }
}

/** The URL's secrets: its password, and query values such as `?password=` or `?sslpassword=`, decoded. */
function secretsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    // An unparsable value has no parts to mask; callers never print it (maskDatabaseUrl names it instead).
    return [];
  }
  const secrets = [...parsed.searchParams].filter(([key]) => SECRET_KEY.test(key)).map(([, value]) => value);
  if (parsed.password) {
    secrets.push(parsed.password);
    try {
      secrets.push(decodeURIComponent(parsed.password));
    } catch {
      // A malformed escape: the password as written is all there is to mask.
    }
  }
  return secrets.filter((secret) => secret.length > 0);
}

/** `text` with every secret of `url` (its password as written and decoded, secret query values) replaced by `***`. */
export function maskSecretsIn(text: string, url: string): string {
  return secretsOf(url).reduce((masked, secret) => masked.replaceAll(secret, MASK), text);
}
