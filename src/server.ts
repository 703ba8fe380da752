// The one way a server runs, for main.ts and the tests alike: build, start, listen; close stops it all in reverse.
import { createApp, type App } from './app';
import { INTERRUPT_WRITES_MS } from './chat';
import type { EnvSettings } from './config';
import { buildDeps, type Deps, type DepsOverrides } from './deps';
import { createOpenStreams, type OpenStreams, type StreamEnd } from './http/open-streams';

/** The port could not be bound (in use, not permitted); the deps were closed again. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** Why open streams end when the server stops: their last `error` event (the code requests get while it stops). */
export const STOPPING: StreamEnd = {
  code: 'not_ready',
  message:
    'The server is stopping before this run could finish; the run ends interrupted, with its reply so far kept in the session.',
};
/** Of a stop's deadline, the part kept for closing storage, and the part between the streams' last events and the cut. */
const CLOSE_MS = 1000;
const LAST_EVENT_MS = 500;

export interface StopOptions {
  /**
   * The whole stop's budget (none by default: tests stop at once). Runs in flight have until
   * `deadlineMs - 1500` to store their replies while the open connections are waited for alongside; then
   * streams still open get their last event and runs still live end `interrupted` (`Deps.interruptLive`: a
   * non-streamed turn is answered), connections still open `deadlineMs - 1000` after the start are cut, and the
   * last second is left for closing storage.
   */
  deadlineMs?: number;
}

export interface RunningServer {
  deps: Deps;
  app: App;
  /** `http://host:port` with the port actually bound. */
  url: string;
  port: number;
  /**
   * Not ready at once, then the listener stops (and, with a deadline, runs drain), then `deps.close` (indexing,
   * agent storage). Later calls return the first call's promise.
   */
  close(options?: StopOptions): Promise<void>;
  /** Makes the stop under way (or a new one) skip what is left of its waits: streams end, connections are cut, storage closes. */
  stopNow(): Promise<void>;
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
  const streams = createOpenStreams();
  let app: App;
  try {
    await deps.start();
    await beforeListen?.(deps);
    app = createApp(deps, { streams });
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
  const hurry = new AbortController();
  let closing: Promise<void> | null = null;
  const close = (options: StopOptions = {}) =>
    (closing ??= stopServer({ deps, server, streams, hurry: hurry.signal, deadlineMs: options.deadlineMs ?? 0 }));
  return {
    deps,
    app,
    url: `http://${settings.host}:${server.port}`,
    port: server.port!,
    close,
    stopNow() {
      hurry.abort();
      return close();
    },
    [Symbol.asyncDispose]: () => close(),
  };
}

interface StopParts {
  deps: Deps;
  server: NonNullable<App['server']>;
  streams: OpenStreams;
  /** Aborted by `stopNow`: every wait left ends at once. */
  hurry: AbortSignal;
  deadlineMs: number;
}

/**
 * One deadline for the whole stop: the drain of runs and the wait for connections run side by side, each
 * bounded by the same points in time, so neither waits after the other has used its time.
 */
async function stopServer({ deps, server, streams, hurry, deadlineMs }: StopParts): Promise<void> {
  const started = performance.now();
  const timers: ReturnType<typeof setTimeout>[] = [];
  /** Resolves `ms` after the stop began, or at once when hurried. */
  const until = (ms: number) =>
    new Promise<void>((resolve) => {
      if (hurry.aborted) return resolve();
      hurry.addEventListener('abort', () => resolve(), { once: true });
      timers.push(setTimeout(resolve, Math.max(0, started + ms - performance.now())));
    });
  deps.state.ready = false;
  // A request waiting for the sandbox's verdict (/api/ready) gets it now rather than holding the listener's stop.
  const probeStopped = deps.sandbox.stopProbe();
  let connectionsOpen = true;
  const connectionsClosed = server.stop(false).then(() => {
    connectionsOpen = false;
  });
  try {
    const drainEnd = deadlineMs - CLOSE_MS - LAST_EVENT_MS;
    const drained = await Promise.race([deps.drain().then(() => true), until(drainEnd).then(() => false)]);
    // Streams of runs that ended finish by themselves; only those still open when the drain's time is up are told.
    await Promise.race([connectionsClosed, until(drainEnd)]);
    const told = streams.endAll(STOPPING);
    if (deadlineMs > 0)
      deps.logger.info('drain ended', {
        all_ended: drained,
        hurried: hurry.aborted,
        streams_ended: told,
        elapsed_ms: Math.round(performance.now() - started),
      });
    // Runs still live end `interrupted` now, while their connections are open: a non-streamed turn answers 503
    // `not_ready` rather than have its connection cut. What is left of the time before the cut is theirs to finish.
    if (!drained) {
      const beforeCut = started + deadlineMs - CLOSE_MS - performance.now() - INTERRUPT_WRITES_MS;
      await deps.interruptLive(hurry.aborted ? 0 : Math.max(0, beforeCut));
    }
    await Promise.race([connectionsClosed, until(deadlineMs - CLOSE_MS)]);
    if (connectionsOpen) {
      if (deadlineMs > 0 && !hurry.aborted) deps.logger.warn('shutdown deadline passed; closing connections');
      await server.stop(true);
    }
    await probeStopped;
    // Runs interrupted above are not waited for again: what is left ends as storage closes.
    await deps.close();
    if (deadlineMs > 0)
      deps.logger.info('stopped', { elapsed_ms: Math.round(performance.now() - started), deadline_ms: deadlineMs });
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
