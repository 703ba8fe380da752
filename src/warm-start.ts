// After the server listens: the first turn's code paths run once in the background, so the first chat is not the one to load them.
import type { RunningServer } from './server';
import { playScratchTurns } from './warm-scratch';

/**
 * Whole turns played through a scratch copy of the server after the in-process turn (see warm-scratch.ts). Measured
 * on the bench machine, the first client turn after start: none 13.3–14.7 ms to its first token, one 10.1–11.4, two
 * 8.8–9.6 (steady state 4–5 ms); idle memory grew about 6 MB with one, 6.5 MB with two.
 */
export const SCRATCH_ROUNDS = 2;

/**
 * While warming, JavaScriptCore's tier-up thresholds are scaled by this (`Bun.unsafe.setJITPolicy`; back to normal
 * after). It holds for the whole server thread meanwhile (requests arriving then included), not for model workers,
 * which warm on their own first calls. A function then needs twice the usual number of runs before it is compiled, so the warm-up's
 * turns compile what a turn runs most and leave what they touch a few times to the interpreter, until real turns call
 * for it. Measured in the single binary (README "Turn cost: sixth round"): warming adds about 4 MB less to idle memory
 * (17.7–18.8 MB instead of 21.7–22.1), and the first turn's first token comes 0.8 ms later on average over four series;
 * a scale of 4 saved 5 MB but cost the first turn about 2 ms.
 */
export const WARM_JIT_POLICY = 2;

/** A session id no session has (ids are random UUIDs of version 4; this one is all zeros). */
const WARM_UP_SESSION = '00000000-0000-4000-8000-000000000000';

/** What warming did and how long it took. */
export interface WarmStartReport {
  ms: number;
  /** Statuses of the two refused chat requests (422 and 404 when they reached the handler). */
  refused: number[];
  /** Events of the warm-up turn. */
  events: number;
  /** SSE events of the turns played through the scratch copy. */
  scratchEvents: number;
}

/**
 * Compiles `POST /api/chat` (Elysia builds a route's handler on its first request: a blank message is refused
 * with 422 before anything runs, a message to a session that does not exist with 404), then plays the warm-up
 * turns of the default agent against a model inside the process. Null, doing nothing, when no chat model is
 * configured. Never throws: a failure only means the first real turn warms the rest.
 */
export async function warmStart(
  running: RunningServer,
  setJitPolicy: (scale: number) => void = (scale) => Bun.unsafe.setJITPolicy(scale),
): Promise<WarmStartReport | null> {
  const { deps, app, url } = running;
  if (deps.settings.llm.source === 'none') return null;
  const started = performance.now();
  try {
    // The sandbox's verdict first: the turns' tool catalogues ask for it, and asked while the start-up probe still
    // runs it would run a probe of its own, holding this thread.
    await deps.sandbox.probed().catch(() => undefined);
    // The server began to stop meanwhile: nothing to warm.
    if (!deps.state.ready) return null;
    setJitPolicy(WARM_JIT_POLICY);
    // With APP_API_TOKEN set, the requests carry it: they are the server's own and must not count as failed logins.
    // A Request made here has no Host header of its own; the host guard wants the one a client would send.
    const headers = {
      host: new URL(url).host,
      'content-type': 'application/json',
      ...(deps.settings.apiToken ? { authorization: `Bearer ${deps.settings.apiToken}` } : {}),
    };
    const refused = (message: string) =>
      app.handle(
        new Request(`${url}/api/chat`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ message, session_id: WARM_UP_SESSION }),
        }),
      );
    const blank = await refused(' ');
    // A well-formed request for a session that does not exist: the body is read and checked, the handler runs up to its 404.
    const unknown = await refused('Hello');
    const { events } = await deps.warmUp();
    // Without a writable temporary folder (or should the copy fail) the in-process turn is all the warming there is.
    const scratchEvents = await playScratchTurns(deps, SCRATCH_ROUNDS).catch((error: unknown) => {
      deps.logger.warn('warming through a scratch copy of the server failed', { error: String(error) });
      return 0;
    });
    const report = {
      ms: performance.now() - started,
      refused: [blank.status, unknown.status],
      events: events.length,
      scratchEvents,
    };
    deps.logger.debug('turn code paths warmed', { ms: Math.round(report.ms), events: report.events });
    return report;
  } catch (error) {
    deps.logger.warn('warming the turn code paths failed; the first turn will load them', { error: String(error) });
    return null;
  } finally {
    setJitPolicy(1);
  }
}
