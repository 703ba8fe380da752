// The first turn after start: a fresh server process, settled after start-up, and its very first chat.
import {
  costOfTurn,
  measuredTurn,
  directBaseline,
  openServer,
  windowsOfTurn,
  wordsReply,
  type BenchCase,
  type MeasuredTurn,
  type ProfiledServer,
} from './case-kit';
import { epochMs } from './fake-model-child';
import { waitUntilQuiet } from './process-cpu';
import { percentile } from './run-report';

/**
 * `starts` fresh servers, one after the other. Each is left to settle (start-up indexing and the collection
 * after it use no CPU any more), gets one new session and then its first chat: a `words`-word reply.
 * `steadyCase` names the case whose p50 the first turn is compared with (the target: at most 2×).
 */
export function firstTurnCase(name: string, words: number, starts: number, steadyCase: string): BenchCase {
  return async (context) => {
    await context.model.setReply(wordsReply(words));
    const baseline = await directBaseline(context.model, 10);
    await context.model.takeArrivals();
    const measured: MeasuredTurn[] = [];
    const profiled: ProfiledServer[] = [];
    /** The second and third turns of each start (new sessions): how far one real turn warms the rest. */
    const laterAdded: number[][] = [[], []];
    const settleMs: number[] = [];
    for (let start = 0; start < starts; start++) {
      const spawnedAt = epochMs();
      const server = await openServer(context, `${name}-${start + 1}`);
      try {
        const listeningAt = epochMs();
        settleMs.push(await waitUntilQuiet(server.pid));
        const sessionId = await server.newSession();
        const message = `${context.runTag} first turn ${start}`;
        const timing = await server.chat(sessionId, message);
        const turn = measuredTurn(timing, message, await context.model.takeArrivals(), words);
        measured.push(turn);
        for (const later of laterAdded) {
          const next = await server.chat(await server.newSession(), `${message} later`);
          later.push(next.firstMs - baseline.firstMs);
        }
        await context.model.takeArrivals();
        profiled.push({
          name: `${name}-${start + 1}`,
          windows: [
            { label: 'start-up (spawn to listening)', fromMs: spawnedAt, toMs: listeningAt },
            ...windowsOfTurn(turn),
          ],
        });
      } finally {
        await server.stop();
      }
    }
    const costs = measured.map((turn) => costOfTurn(turn, baseline));
    const add = (measure: string, value: number, unit = 'ms', target?: string) =>
      context.report.add(name, measure, value, unit, target);
    console.log(
      `  ${measured.filter((turn) => turn.timing.ok).length}/${starts} first turns completed; direct baseline p50 first token ${baseline.firstMs.toFixed(2)} ms`,
    );
    add('wait for the started server to settle p50', percentile(settleMs, 50));
    const addedFirst = percentile(
      costs.map((cost) => cost.addedFirst),
      50,
    );
    add('added to first token p50', addedFirst);
    add('added to first token max', Math.max(...costs.map((cost) => cost.addedFirst)));
    add(
      'send to model call p50 (wall)',
      percentile(
        costs.map((cost) => cost.preModelWall),
        50,
      ),
    );
    add(
      'CPU before the model call p50 (main thread)',
      percentile(
        costs.map((cost) => cost.preModelCpu),
        50,
      ),
    );
    add(
      'CPU model call to title call p50 (main thread)',
      percentile(
        costs.map((cost) => cost.streamCpu),
        50,
      ),
    );
    add(
      'CPU per turn p50 (all threads)',
      percentile(
        costs.map((cost) => cost.totalCpuAll),
        50,
      ),
    );
    add('second turn after start, added to first token p50', percentile(laterAdded[0]!, 50));
    add('third turn after start, added to first token p50', percentile(laterAdded[1]!, 50));
    const steady = context.report.values(steadyCase, 'added to first token p50').at(-1);
    if (steady !== undefined)
      add(`first turn ÷ ${steadyCase} p50 (added to first token)`, addedFirst / steady, '×', '≤ 2×');
    return profiled;
  };
}
