// What every chat bench case shares: its context, the server it opens, the replies, the direct baseline, one turn's costs.
import type { ScriptStep } from '../../test/support/fake-openai-server';
import { directTurn, startBenchServer, type BenchServer, type ServerSetup, type TurnTiming } from './bench-server';
import type { FakeModelChild, ModelArrival } from './fake-model-child';
import type { ProfileWindow } from './profile-window';
import { percentile, type BenchReport } from './run-report';

/** What a case runs with: the fake model, where figures go, where profiles go. */
export interface CaseContext {
  model: FakeModelChild;
  report: BenchReport;
  /** Set when profiling: every server the case opens writes `<profileDir>/<name>.{md,cpuprofile}`. */
  profileDir?: string;
  /** Unique to this run of the case: tags messages so the model's arrivals can be matched to turns. */
  runTag: string;
}

/** A server a case ran, by its profile name, with the labelled windows its profile is read over. */
export interface ProfiledServer {
  name: string;
  windows: ProfileWindow[];
}

/** One bench case: runs its servers, reports its figures, and says which profiles to read over which windows. */
export type BenchCase = (context: CaseContext) => Promise<ProfiledServer[]>;

/** Turns every sequential case runs on a fresh server before it measures (LangChain loaded, code compiled). */
export const WARMUP_TURNS = 30;

/** A reply of `words` words, one word (one 4-character chunk: `tok `) per SSE chunk, `delayMs` before each. */
export const wordsReply = (words: number, delayMs = 0): ScriptStep => ({
  kind: 'text',
  text: 'tok '.repeat(words),
  chunkSize: 4,
  ...(delayMs ? { delayMs } : {}),
});

/** A fresh server (profiled under `name` when the context profiles) whose CPU the fake model reads at each arrival. */
export async function openServer(context: CaseContext, name: string, setup?: ServerSetup): Promise<BenchServer> {
  const server = await startBenchServer(
    context.model,
    context.profileDir ? { dir: context.profileDir, name } : undefined,
    setup,
  );
  await context.model.watch(server.pid);
  return server;
}

/** `count` new sessions, one after the other. */
export async function newSessions(server: BenchServer, count: number): Promise<string[]> {
  const sessions: string[] = [];
  for (let index = 0; index < count; index++) sessions.push(await server.newSession());
  return sessions;
}

/** Sequential turns that are not measured; their arrivals are dropped. */
export async function warmUp(context: CaseContext, server: BenchServer, turns = WARMUP_TURNS): Promise<void> {
  for (const [index, sessionId] of (await newSessions(server, turns)).entries())
    await server.chat(sessionId, `${context.runTag} warm-up ${index}`);
  await context.model.takeArrivals();
}

/** The fake model's own p50 time to first token and to the end of the reply, over `runs` sequential requests. */
export async function directBaseline(model: FakeModelChild, runs: number): Promise<{ firstMs: number; endMs: number }> {
  const results = [];
  for (let index = 0; index < runs; index++) results.push(await directTurn(model));
  return {
    firstMs: percentile(
      results.map((run) => run.firstMs),
      50,
    ),
    endMs: percentile(
      results.map((run) => run.endMs),
      50,
    ),
  };
}

/** One measured turn: what the client saw, and the model's arrivals for it (its own call, its title call). */
export interface MeasuredTurn {
  timing: TurnTiming;
  arrival: ModelArrival | undefined;
  titleArrival: ModelArrival | undefined;
  words: number;
}

/** The streamed request that carried `message` (the turn's own model call, not its title call). */
export const arrivalOf = (arrivals: ModelArrival[], message: string) =>
  arrivals.find((arrival) => arrival.streamed && arrival.text === message);

/** The title call of the turn that sent `message` (its prompt quotes the first user message). */
export const titleArrivalOf = (arrivals: ModelArrival[], message: string) =>
  arrivals.find((arrival) => !arrival.streamed && arrival.text.includes(message));

/** A turn with its arrivals looked up. */
export const measuredTurn = (
  timing: TurnTiming,
  message: string,
  arrivals: ModelArrival[],
  words: number,
): MeasuredTurn => ({
  timing,
  arrival: arrivalOf(arrivals, message),
  titleArrival: titleArrivalOf(arrivals, message),
  words,
});

/**
 * One turn's added times (against the direct baseline) and its server CPU by phase, all in ms. Phases end where
 * the server can be seen from outside: its model call reaching the fake model, its title call reaching it, the
 * body's end. (The client's `done` is no boundary: Bun sends what a turn wrote when the turn first waits on I/O,
 * which on a first turn is the title call.)
 */
export function costOfTurn(
  { timing, arrival, titleArrival }: MeasuredTurn,
  baseline: { firstMs: number; endMs: number },
) {
  const arrivedCpuNs = arrival?.serverCpuNs ?? NaN;
  const titleCpuNs = titleArrival?.serverCpuNs ?? timing.cpuAtDone.mainNs;
  return {
    addedFirst: timing.firstMs - baseline.firstMs,
    addedDone: timing.doneMs - baseline.endMs,
    preModelWall: arrival ? arrival.atMs - timing.sentAt : NaN,
    /** From the model call reaching the fake model to the first token reaching the client. */
    modelToFirstWall: arrival ? timing.sentAt + timing.firstMs - arrival.atMs : NaN,
    /** Main thread, from the request being sent to the model call arriving at the fake model. */
    preModelCpu: (arrivedCpuNs - timing.cpuAtSend.mainNs) / 1e6,
    /** Main thread, from the model call to the title call (every token, `done`, the stored reply, the usage row, the title call's set-up). */
    streamCpu: (titleCpuNs - arrivedCpuNs) / 1e6,
    /** Main thread, from the title call to the end of the body (the title's answer, its usage row, the rename, the run's end). */
    afterTitleCpu: (timing.cpuAtEnd.mainNs - titleCpuNs) / 1e6,
    firstToDoneWall: timing.doneMs - timing.firstMs,
    doneToEndWall: timing.endMs - timing.doneMs,
    totalCpuMain: (timing.cpuAtEnd.mainNs - timing.cpuAtSend.mainNs) / 1e6,
    totalCpuAll: (timing.cpuAtEnd.allNs - timing.cpuAtSend.allNs) / 1e6,
    totalCpuJit: (timing.cpuAtEnd.jitNs - timing.cpuAtSend.jitNs) / 1e6,
  };
}

/** The turn's three phases as profile windows, with the same boundaries as `costOfTurn`. */
export function windowsOfTurn({ timing, arrival, titleArrival }: MeasuredTurn): ProfileWindow[] {
  if (!arrival || !timing.ok) return [];
  const title = titleArrival?.atMs ?? timing.sentAt + timing.doneMs;
  // Split at the first token the client saw, when it came before the title call (tokens leave as they are read).
  const firstToken = Math.min(timing.sentAt + timing.firstMs, title);
  return [
    { label: 'before the model call', fromMs: timing.sentAt, toMs: arrival.atMs },
    { label: 'model call to first token at the client', fromMs: arrival.atMs, toMs: firstToken },
    {
      label: 'first token to title call (tokens, done, stored reply, usage, title set-up)',
      fromMs: firstToken,
      toMs: title,
    },
    { label: 'title call to end of body', fromMs: title, toMs: timing.sentAt + timing.endMs },
  ];
}

/** Reports the figures every sequential case shares; `targets` are the issue's, keyed by measure. */
export function reportTurns(
  context: CaseContext,
  caseName: string,
  turns: MeasuredTurn[],
  baseline: { firstMs: number; endMs: number },
  targets: Record<string, string> = {},
): void {
  const costs = turns.map((turn) => costOfTurn(turn, baseline));
  const pick = (key: keyof (typeof costs)[number]) => costs.map((cost) => cost[key]);
  const add = (measure: string, value: number, unit = 'ms') =>
    context.report.add(caseName, measure, value, unit, targets[measure]);
  console.log(
    `  ${turns.filter((turn) => turn.timing.ok).length}/${turns.length} turns completed; direct baseline p50: first token ${baseline.firstMs.toFixed(2)} ms, whole reply ${baseline.endMs.toFixed(2)} ms`,
  );
  add('added to first token p50', percentile(pick('addedFirst'), 50));
  add('added to first token p90', percentile(pick('addedFirst'), 90));
  add('added to done p50', percentile(pick('addedDone'), 50));
  add('send to model call p50 (wall)', percentile(pick('preModelWall'), 50));
  add('model call to first token at the client p50 (wall)', percentile(pick('modelToFirstWall'), 50));
  add('CPU before the model call p50 (main thread)', percentile(pick('preModelCpu'), 50));
  add('CPU model call to title call p50 (main thread)', percentile(pick('streamCpu'), 50));
  add('CPU title call to end p50 (main thread)', percentile(pick('afterTitleCpu'), 50));
  add('first token to done at the client p50 (wall)', percentile(pick('firstToDoneWall'), 50));
  add('done to end of body at the client p50 (wall)', percentile(pick('doneToEndWall'), 50));
  add('CPU per turn p50 (main thread)', percentile(pick('totalCpuMain'), 50));
  add('CPU per turn p50 (all threads)', percentile(pick('totalCpuAll'), 50));
  add('CPU per turn p50 (JIT compiler threads)', percentile(pick('totalCpuJit'), 50));
}
