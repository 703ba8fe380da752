// Command-line parsing: `mini-openclaw [serve] [--host H] [--port P] [--data-dir D] | --help | --version`.

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; host?: string; port?: number; dataDir?: string }
  | { kind: 'error'; message: string };

export const HELP_TEXT = `mini-openclaw — a self-hosted multi-agent server

Usage:
  mini-openclaw [serve] [--host H] [--port P] [--data-dir D]
  mini-openclaw --help | --version

Options:
  --host H        address to bind (APP_HOST, default 127.0.0.1)
  --port P        port to listen on, 0 for any free port (APP_PORT, default 8002)
  --data-dir D    where agents, sessions and config live (APP_DATA_DIR, default ./storage)
  -h, --help      show this text
  -v, --version   print the version

Flags beat environment variables; environment variables beat .env in the working folder.
See README.md for every variable (APP_API_TOKEN, LLM_BASE_URL, LLM_MODEL, ...).
`;

/** Parses argv (without the program name). Accepts `--flag value` and `--flag=value`. */
export function parseCli(argv: readonly string[]): CliCommand {
  const result: { host?: string; port?: number; dataDir?: string } = {};
  const args = [...argv];
  if (args[0] === 'serve') args.shift();
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version' || arg === '-v') return { kind: 'version' };
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag !== '--host' && flag !== '--port' && flag !== '--data-dir') return { kind: 'error', message: `Unknown argument: ${arg}` };
    const value = inline ?? args.shift();
    if (value === undefined || value === '') return { kind: 'error', message: `${flag} needs a value` };
    if (flag === '--host') result.host = value;
    if (flag === '--data-dir') result.dataDir = value;
    if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return { kind: 'error', message: `--port must be 0-65535, got ${value}` };
      result.port = port;
    }
  }
  return { kind: 'serve', ...result };
}
