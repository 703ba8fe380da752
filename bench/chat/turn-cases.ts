// Sequential turns, a new session each: at a steady pace (each sent once the last has ended) and back to back (sent at `done`).
import type { TurnTiming } from './bench-server';
import type { ModelArrival } from './fake-model-child';
import {
  directBaseline,
  measuredTurn,
  newSessions,
  openServer,
  reportTurns,
  titleArrivalOf,
  warmUp,
  windowsOfTurn,
  wordsReply,
  type BenchCase,
} from './case-kit';
import { percentile } from './run-report';

/** How a steady case differs from plain steady state. */
export interface SteadyOptions {
  /** Milliseconds the model waits before each token (0: none, the zero think time). */
  tokenDelayMs?: number;
  /** Measure each session's second turn (no title call) instead of its first. */
  secondTurn?: boolean;
  targets?: Record<string, string>;
}

/**
 * Steady state: `turns` turns, each in a new session, each sent after the previous body ended (its title
 * included), each after one request straight to the model (the baseline, interleaved as the old bench did).
 */
export function steadyCase(name: string, words: number, turns: number, options: SteadyOptions = {}): BenchCase {
  return async (context) => {
    await context.model.setReply(wordsReply(words, options.tokenDelayMs));
    const server = await openServer(context, name);
    try {
      await warmUp(context, server);
      const sessions = await newSessions(server, turns);
      if (options.secondTurn) {
        for (const [index, sessionId] of sessions.entries())
          await server.chat(sessionId, `${context.runTag} opening ${index}`);
        await context.model.takeArrivals();
      }
      const direct: { firstMs: number; endMs: number }[] = [];
      const timings: { timing: TurnTiming; message: string }[] = [];
      for (const [index, sessionId] of sessions.entries()) {
        direct.push(await directBaseline(context.model, 1));
        const message = `${context.runTag} turn ${index}`;
        timings.push({ timing: await server.chat(sessionId, message), message });
      }
      const arrivals = await context.model.takeArrivals();
      const measured = timings.map(({ timing, message }) => measuredTurn(timing, message, arrivals, words));
      const baseline = {
        firstMs: percentile(
          direct.map((run) => run.firstMs),
          50,
        ),
        endMs: percentile(
          direct.map((run) => run.endMs),
          50,
        ),
      };
      reportTurns(context, name, measured, baseline, options.targets);
      return [{ name, windows: measured.flatMap(windowsOfTurn) }];
    } finally {
      await server.stop();
    }
  };
}

/**
 * Back to back: each turn (a new session) is sent the moment the client sees the previous turn's `done`, while
 * that turn's title call, usage rows and run end still go on; its body is read to the end alongside.
 */
export function backToBackCase(
  name: string,
  words: number,
  turns: number,
  targets: Record<string, string> = {},
): BenchCase {
  return async (context) => {
    await context.model.setReply(wordsReply(words));
    const server = await openServer(context, name);
    try {
      await warmUp(context, server);
      const sessions = await newSessions(server, turns);
      const baseline = await directBaseline(context.model, 30);
      await context.model.takeArrivals();
      const pending: { finished: Promise<TurnTiming>; message: string }[] = [];
      for (const [index, sessionId] of sessions.entries()) {
        const message = `${context.runTag} turn ${index}`;
        const started = server.startChat(sessionId, message);
        pending.push({ finished: started.finished, message });
        await started.done;
      }
      const timings = await Promise.all(
        pending.map(async ({ finished, message }) => ({ timing: await finished, message })),
      );
      const arrivals = await context.model.takeArrivals();
      const measured = timings.map(({ timing, message }) => measuredTurn(timing, message, arrivals, words));
      reportTurns(context, name, measured, baseline, targets);
      reportLeftovers(context, name, timings, arrivals);
      return [{ name, windows: measured.flatMap(windowsOfTurn) }];
    } finally {
      await server.stop();
    }
  };
}

/** What of the previous turn was still going on when each turn was sent: its open body, its title call. */
function reportLeftovers(
  context: Parameters<BenchCase>[0],
  name: string,
  timings: { timing: TurnTiming; message: string }[],
  arrivals: ModelArrival[],
): void {
  const overlaps = timings.slice(1).map(({ timing }, index) => {
    const previous = timings[index]!;
    const titleCall = titleArrivalOf(arrivals, previous.message);
    return {
      bodyOpenMs: previous.timing.sentAt + previous.timing.endMs - timing.sentAt,
      titleCallAfterSendMs: titleCall ? titleCall.atMs - timing.sentAt : NaN,
    };
  });
  const open = overlaps.filter((overlap) => overlap.bodyOpenMs > 0).length;
  context.report.add(
    name,
    "turns sent while the previous turn's body was open",
    (100 * open) / Math.max(1, overlaps.length),
    '%',
  );
  context.report.add(
    name,
    "previous turn's body still open after the send p50",
    percentile(
      overlaps.map((overlap) => overlap.bodyOpenMs),
      50,
    ),
  );
  context.report.add(
    name,
    "previous turn's title call reached the model, after the send p50",
    percentile(
      overlaps.map((overlap) => overlap.titleCallAfterSendMs),
      50,
    ),
  );
}
