// The one way a server runs, for main.ts and the tests alike: build, start, listen; close stops it all in reverse.
import { createApp, type App } from './app';
import type { EnvSettings } from './config';
import { buildDeps, type Deps, type DepsOverrides } from './deps';

/** The port could not be bound (in use, not permitted); the deps were closed again. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface StopOptions {
  /** How long runs in flight may take to store their replies (none by default: tests stop at once). */
  drainMs?: number;
  /** Open connections are cut after this long (at once by default). */
  forceAfterMs?: number;
}

export interface RunningServer {
  deps: Deps;
  app: App;
  /** `http://host:port` with the port actually bound. */
  url: string;
  port: number;
  /** Not ready at once, then the listener stops, then `deps.close` (scheduler, drain, indexing, agent storage). */
  close(options?: StopOptions): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ServerOptions {
  settings: EnvSettings;
  overrides?: DepsOverrides;
  /** Runs after `start()` and before the port is bound (the tests wait for the first index pass there). */
  beforeListen?(deps: Deps): Promise<void>;
}

/** Builds the deps, starts them, and listens on `settings.host:settings.port`. A failure closes what was started. */
export async function startServer({ settings, overrides, beforeListen }: ServerOptions): Promise<RunningServer> {
  const deps = buildDeps(settings, overrides);
  let app: App;
  try {
    await deps.start();
    await beforeListen?.(deps);
    app = createApp(deps);
  } catch (error) {
    await deps.close();
    throw error;
  }
  // Elysia asks Bun for SO_REUSEPORT by default, which lets a second server bind a port already in use
  // and silently share its traffic; a busy port must be an error instead.
  try {
    app.listen({ hostname: settings.host, port: settings.port, reusePort: false });
  } catch (error) {
    await deps.close();
    throw new ListenError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const server = app.server!;
  let closing: Promise<void> | null = null;
  const close = (options: StopOptions = {}) =>
    (closing ??= (async () => {
      deps.state.ready = false;
      // A request waiting for the sandbox's verdict (/api/ready) gets it now rather than holding the listener's stop.
      const probeStopped = deps.sandbox.stopProbe();
      const deadline =
        options.forceAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              deps.logger.warn('shutdown deadline passed; closing connections');
              void server.stop(true);
            }, options.forceAfterMs);
      try {
        await server.stop(options.forceAfterMs === undefined);
        await probeStopped;
        await deps.close({ drainMs: options.drainMs });
      } finally {
        clearTimeout(deadline);
      }
    })());
  return {
    deps,
    app,
    url: `http://${settings.host}:${server.port}`,
    port: server.port!,
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}
