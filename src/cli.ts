// Command-line parsing: `mini-openclaw [serve] [flags] | migrate | export | import | --help | --version`.
import { checkDatabaseUrl } from './shared/database-url';
import { parseDecimalInteger } from './shared/decimal-integer';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; host?: string; port?: number; dataDir?: string; databaseUrl?: string }
  | { kind: 'migrate'; databaseUrl?: string }
  | { kind: 'export'; file: string; dataDir?: string; databaseUrl?: string }
  | { kind: 'import'; file: string; dataDir?: string; databaseUrl?: string }
  | { kind: 'error'; message: string };

export const HELP_TEXT = `mini-openclaw — a self-hosted multi-agent server

Usage:
  mini-openclaw [serve] [--host H] [--port P] [--data-dir D] [--database-url U]
  mini-openclaw migrate [--database-url U]
  mini-openclaw export --out FILE [--data-dir D] [--database-url U]
  mini-openclaw import --in FILE [--data-dir D] [--database-url U]
  mini-openclaw --help | --version

Commands:
  serve           run the server (the default)
  migrate         apply the PostgreSQL schema migrations to U, then exit (0 when done)
  export          write every agent's sessions, messages, usage, cron jobs and runs, heartbeat
                  runs and tool audit to FILE (JSON Lines), from PostgreSQL when a database URL
                  is given, else from the SQLite files under D
  import          read such a FILE into PostgreSQL (with a database URL) or the SQLite files
                  under D; refuses agents that already hold rows there

Options:
  --host H          address to bind (APP_HOST, default 127.0.0.1)
  --port P          port to listen on, 0 for any free port (APP_PORT, default 8002)
  --data-dir D      where agents, sessions and config live (APP_DATA_DIR, default ./storage)
  --database-url U  PostgreSQL for several replicas, postgres://user:password@host:5432/db
                    (APP_DATABASE_URL; pool size APP_DATABASE_POOL_SIZE, default 10). Without it
                    everything stays in per-agent SQLite files (see README, When to choose
                    PostgreSQL; lock lease APP_DATABASE_LEASE_SECONDS, default 15)
  -h, --help        show this text
  -v, --version     print the version

Flags beat environment variables; environment variables beat .env in the working folder.
See README.md for every variable (APP_API_TOKEN, LLM_BASE_URL, LLM_MODEL, ...).
`;

type Kind = 'serve' | 'migrate' | 'export' | 'import';

const FLAGS: Record<Kind, readonly string[]> = {
  serve: ['--host', '--port', '--data-dir', '--database-url'],
  migrate: ['--database-url'],
  export: ['--out', '--data-dir', '--database-url'],
  import: ['--in', '--data-dir', '--database-url'],
};

type Values = { host?: string; port?: number; dataDir?: string; databaseUrl?: string; file?: string };

/** Reads one flag's value into `values`; returns an error message for a bad value. */
function readFlag(flag: string, value: string, values: Values): string | null {
  if (flag === '--host') values.host = value;
  if (flag === '--out' || flag === '--in') values.file = value;
  if (flag === '--data-dir') values.dataDir = value;
  if (flag === '--port') {
    const port = parseDecimalInteger(value);
    if (port === null || port > 65535) return `--port must be 0-65535 (decimal digits), got ${value}`;
    values.port = port;
  }
  if (flag === '--database-url') {
    const check = checkDatabaseUrl(value);
    // The problem text never holds the password; the value itself is not echoed.
    if (!check.ok) return `--database-url ${check.problem}`;
    values.databaseUrl = check.url;
  }
  return null;
}

/** Names a flag the command does not take; a URL is not echoed, since it may hold a password. */
function unknownArgument(kind: Kind, flag: string): string {
  if (Object.values(FLAGS).some((flags) => flags.includes(flag))) return `${flag} does not apply to ${kind}`;
  if (flag.includes('://')) return 'Unknown argument: a URL (the database URL goes after --database-url)';
  return `Unknown argument: ${flag}`;
}

/** Parses argv (without the program name). Accepts `--flag value` and `--flag=value`. */
export function parseCli(argv: readonly string[]): CliCommand {
  const values: Values = {};
  const args = [...argv];
  const named = (['serve', 'migrate', 'export', 'import'] as const).find((command) => command === args[0]);
  const kind: Kind = named ?? 'serve';
  if (named) args.shift();
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version' || arg === '-v') return { kind: 'version' };
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!FLAGS[kind].includes(flag)) return { kind: 'error', message: unknownArgument(kind, flag) };
    const value = inline ?? args.shift();
    if (value === undefined || value === '') return { kind: 'error', message: `${flag} needs a value` };
    const problem = readFlag(flag, value, values);
    if (problem) return { kind: 'error', message: problem };
  }
  const database = values.databaseUrl ? { databaseUrl: values.databaseUrl } : {};
  if (kind === 'migrate') return { kind, ...database };
  if (kind === 'export' || kind === 'import') {
    const fileFlag = kind === 'export' ? '--out' : '--in';
    if (!values.file) return { kind: 'error', message: `${kind} needs ${fileFlag} FILE` };
    return { kind, file: values.file, ...(values.dataDir ? { dataDir: values.dataDir } : {}), ...database };
  }
  return { kind, ...values };
}
