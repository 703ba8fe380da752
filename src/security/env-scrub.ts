// The environment a tool process gets: built from nothing, so no server secret can leak into it.

/** The only PATH tool processes see (the sandbox binds /usr, so these resolve inside it too). */
export const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Variables copied from the server when present and harmless; everything else is dropped. */
const PASSTHROUGH = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'];

const SECRET_NAME =
  /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|_PASS$|^PASS|CREDENTIAL|COOKIE|AUTH|SESSION|PRIVATE|DATABASE_URL|DSN$|^AWS_|^GCP_|^GOOGLE_|^AZURE_|^LLM_|^EMBEDDING_|^APP_|^OPENAI|^ANTHROPIC)/i;

/** Whether a variable's name says it holds a secret (`*_KEY`, `*_TOKEN`, `*PASSWORD*`, `DATABASE_URL`, `AWS_*`, the server's own…). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Whether a value looks like a credential whatever its name: URLs with passwords, key prefixes, PEM blocks, long tokens. */
export function looksSecretValue(value: string): boolean {
  if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(value)) return true;
  if (/\b(sk|pk|rk|ghp|gho|ghs|github_pat|xox[abpr]|AKIA|ASIA)[-_]?(?:[A-Za-z0-9]+[-_])?[A-Za-z0-9]{8,}/.test(value))
    return true;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----|Bearer\s+\S{8,}/.test(value)) return true;
  const token = /[A-Za-z0-9+/_=-]{32,}/.exec(value)?.[0];
  return token !== undefined && /[a-z]/.test(token) && /[A-Z]/.test(token) && /\d/.test(token);
}

/**
 * The environment for a tool process: PATH (minimal), HOME (the agent folder), TMPDIR, TERM, plus LANG, LC_* and
 * TZ copied from `source` only when neither their name nor their value looks secret.
 */
export function scrubEnvironment(
  source: Record<string, string | undefined>,
  options: { home: string },
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: MINIMAL_PATH,
    HOME: options.home,
    TMPDIR: '/tmp',
    TERM: 'dumb',
    LANG: 'C.UTF-8',
  };
  for (const name of PASSTHROUGH) {
    const value = source[name];
    if (value === undefined || isSecretName(name) || looksSecretValue(value)) continue;
    env[name] = value;
  }
  return env;
}
