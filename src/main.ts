// Entry point: parse the command line, read .env and the environment; migrate, or build, start, listen (a signal stops it all).
import { join } from 'node:path';
import { HELP_TEXT, parseCli } from './cli';
import {
  EnvError,
  type EnvSettings,
  isLoopbackHost,
  readEnvSettings,
  readStartEnvironment,
  replaceEnvironment,
  withDotenv,
} from './config';
import { runMigrateCommand } from './db/postgres/migrate-command';
import { ListenError, type RunningServer, startServer } from './server';
import { createLogger } from './shared/logger';
import { isIgnoredSignal } from './shared/signal-disposition';
import { logUnhandledRejections } from './shared/unhandled-rejections';
import { runTransferCommand } from './storage/transfer/transfer-command';
import { VERSION } from './version';
import { warmStart } from './warm-start';

/** The whole stop's budget (runs drained, connections closed, storage closed), well inside Docker's and podman's 10 s. */
const SHUTDOWN_DEADLINE_MS = 5000;
/** A stop still not done this long after its deadline (storage that will not close) is given up: exit 1. */
const GIVE_UP_AFTER_MS = 1000;
/** Each starts a clean stop; a second one, while stopping, makes it skip its waits. SIGHUP: the terminal went away. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Read before any handler is installed (`nohup` starts the process with SIGHUP ignored). */
const ignoredAtStart = new Set(STOP_SIGNALS.filter((signal) => isIgnoredSignal(signal)));

async function main(): Promise<number> {
  const command = parseCli(Bun.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`mini-openclaw ${VERSION}\n`);
    return 0;
  }
  if (command.kind === 'error') {
    process.stderr.write(`${command.message}\n\n${HELP_TEXT}`);
    return 2;
  }

  // What Bun's own dotenv loading put into process.env (values with `$` expanded) is not the real environment: the
  // start environment plus our parse of .env is, and process.env is made to match it for tools and LangChain.
  const env = withDotenv(readStartEnvironment(process.env), join(process.cwd(), '.env'));
  replaceEnvironment(process.env, env);
  let settings: EnvSettings;
  try {
    settings = readEnvSettings(env);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const databaseUrl = command.databaseUrl ?? settings.database.url;
  if (command.kind === 'migrate') {
    if (!databaseUrl) {
      process.stderr.write('mini-openclaw migrate needs a database: pass --database-url or set APP_DATABASE_URL\n');
      return 2;
    }
    return await runMigrateCommand({
      url: databaseUrl,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  }
  if (command.kind === 'export' || command.kind === 'import') {
    return await runTransferCommand({
      kind: command.kind,
      file: command.file,
      dataDir: command.dataDir ?? settings.dataDir,
      databaseUrl: databaseUrl ?? null,
      logger: createLogger('warn'),
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  }
  settings = {
    ...settings,
    database: { ...settings.database, url: databaseUrl ?? null },
    host: command.host ?? settings.host,
    port: command.port ?? settings.port,
    dataDir: command.dataDir ?? settings.dataDir,
  };

  logUnhandledRejections(createLogger(settings.logLevel));
  let running: RunningServer;
  try {
    running = await startServer({ settings, overrides: { env: process.env } });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`mini-openclaw: cannot listen on ${settings.host}:${settings.port}: ${error.message}\n`);
    return 1;
  }
  const { deps, port } = running;
  deps.logger.info('listening', {
    url: `http://${settings.host}:${port}`,
    data_dir: deps.settings.dataDir,
    version: VERSION,
  });
  process.stdout.write(
    `mini-openclaw ${VERSION} listening on http://${settings.host}:${port} (data: ${deps.settings.dataDir})\n`,
  );
  if (!isLoopbackHost(settings.host) && !settings.apiToken) {
    process.stderr.write(
      `WARNING: listening on ${settings.host} without APP_API_TOKEN: anyone who can reach this port can use every agent and tool. Set APP_API_TOKEN.\n`,
    );
  }
  // Once the first index pass is done, the first turn's code paths are warmed (APP_WARM_START). Start-up
  // (module evaluation, seeding, indexing, warming) leaves garbage a lazy collector keeps for a long
  // time; one full collection once it settles returns it, so an idle server stays small.
  void deps.retrieval
    .idle()
    .then(() => (settings.warmStart ? warmStart(running) : null))
    .then(() => Bun.gc(true));
  if (settings.llm.source === 'none') {
    deps.logger.warn('no chat model configured: set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY to chat');
  }

  return await new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // Runs still going are cut (they end interrupted, as at the deadline); storage still closes cleanly: exit 0.
        deps.logger.warn('stopping at once', { signal });
        void running.stopNow();
        return;
      }
      stopping = true;
      deps.logger.info('stopping', { signal, deadline_ms: SHUTDOWN_DEADLINE_MS });
      setTimeout(() => {
        deps.logger.error('the stop did not end by its deadline; exiting without it', {
          deadline_ms: SHUTDOWN_DEADLINE_MS,
        });
        resolveExit(1);
      }, SHUTDOWN_DEADLINE_MS + GIVE_UP_AFTER_MS).unref();
      running.close({ deadlineMs: SHUTDOWN_DEADLINE_MS }).then(
        () => resolveExit(0),
        (error: unknown) => {
          deps.logger.error('the stop failed', { error: String(error) });
          resolveExit(1);
        },
      );
    };
    // A signal the process was started ignoring stays ignored: under `nohup` a closed terminal's SIGHUP must not stop it.
    for (const signal of STOP_SIGNALS) if (!ignoredAtStart.has(signal)) process.on(signal, () => stop(signal));
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`mini-openclaw failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
