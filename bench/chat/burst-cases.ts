// Many turns at once: N streams of 50 tokens at 20 ms, all sent in the same instant (or `gapMs` apart), against the same load straight from the model.
import { directTurn } from './bench-server';
import { arrivalOf, newSessions, openServer, WARMUP_TURNS, warmUp, wordsReply, type BenchCase } from './case-kit';
import { epochMs } from './fake-model-child';
import { cpuMsBetween, readCpu, readRssMb } from './process-cpu';
import { percentile } from './run-report';

const BURST_TOKENS = 50;
const TOKEN_DELAY_MS = 20;
const HEALTH_EVERY_MS = 20;

/** Runs `count` copies of `run`, the i-th started `i × gapMs` after the first (all at once with 0). */
const onSchedule = <T>(count: number, gapMs: number, run: (index: number) => Promise<T>) =>
  Promise.all(
    Array.from({ length: count }, async (_, index) => {
      if (gapMs > 0) await Bun.sleep(index * gapMs);
      return run(index);
    }),
  );

/**
 * `streams` turns (each in its own new session) on a server warmed with `warmupTurns` sequential turns.
 * Added time is measured as the old bench did: each turn against the p50 of the same streams, on the same
 * schedule, straight from the fake model. Reports the server's peak RSS (VmHWM) since its start.
 */
export function burstCase(
  name: string,
  streams: number,
  gapMs: number,
  targets: Record<string, string> = {},
  warmupTurns = WARMUP_TURNS,
): BenchCase {
  return async (context) => {
    const server = await openServer(context, name);
    try {
      await context.model.setReply(wordsReply(200));
      await warmUp(context, server, warmupTurns);
      await context.model.setReply(wordsReply(BURST_TOKENS, TOKEN_DELAY_MS));
      const baseline = await onSchedule(streams, gapMs, () => directTurn(context.model));
      const baseFirst = percentile(
        baseline.map((run) => run.firstMs),
        50,
      );
      const baseEnd = percentile(
        baseline.map((run) => run.endMs),
        50,
      );
      const sessions = await newSessions(server, streams);
      await context.model.takeArrivals();
      const cpuBefore = readCpu(server.pid);
      const othersBefore = [readCpu(context.model.pid), readCpu(process.pid)];
      const startedAt = epochMs();
      // Beside the burst, one client asks /api/health every 20 ms: how long the server thread keeps other requests waiting.
      let bursting = true;
      const healthMs: number[] = [];
      const healthProbe = (async () => {
        while (bursting) {
          const started = performance.now();
          await (await fetch(`${server.url}/api/health`)).arrayBuffer();
          healthMs.push(performance.now() - started);
          await Bun.sleep(HEALTH_EVERY_MS);
        }
      })();
      const timings = await onSchedule(streams, gapMs, (index) =>
        server.chat(sessions[index]!, `${context.runTag} stream ${index}`),
      );
      const endedAt = epochMs();
      bursting = false;
      await healthProbe;
      const cpu = cpuMsBetween(cpuBefore, readCpu(server.pid));
      const [modelCpu, clientCpu] = [context.model.pid, process.pid].map(
        (pid, index) => cpuMsBetween(othersBefore[index]!, readCpu(pid)).allMs,
      );
      const arrivals = await context.model.takeArrivals();
      const completed = timings.filter((timing) => timing.ok);
      const add = (measure: string, value: number, unit = 'ms') =>
        context.report.add(name, measure, value, unit, targets[measure]);
      console.log(
        `  ${completed.length}/${streams} completed; direct baseline p50: first token ${baseFirst.toFixed(2)} ms, whole reply ${baseEnd.toFixed(2)} ms`,
      );
      add('completed', (100 * completed.length) / streams, '%');
      add(
        'added to first token p50',
        percentile(
          timings.map((timing) => timing.firstMs - baseFirst),
          50,
        ),
      );
      add(
        'added to first token p99',
        percentile(
          timings.map((timing) => timing.firstMs - baseFirst),
          99,
        ),
      );
      add(
        'added to whole reply p50',
        percentile(
          timings.map((timing) => timing.doneMs - baseEnd),
          50,
        ),
      );
      add(
        'added to whole reply p99',
        percentile(
          timings.map((timing) => timing.doneMs - baseEnd),
          99,
        ),
      );
      const preModel = timings.map(
        (timing, index) => (arrivalOf(arrivals, `${context.runTag} stream ${index}`)?.atMs ?? NaN) - timing.sentAt,
      );
      add('send to model call p50 (wall)', percentile(preModel, 50));
      add('send to model call p99 (wall)', percentile(preModel, 99));
      add('CPU per turn (main thread, whole burst ÷ streams)', cpu.mainMs / streams);
      add('CPU per turn (all threads, whole burst ÷ streams)', cpu.allMs / streams);
      add('CPU per turn (JIT compiler threads, whole burst ÷ streams)', cpu.jitMs / streams);
      add('health answer during the burst p50', percentile(healthMs, 50));
      add('health answer during the burst max', Math.max(...healthMs));
      add('server peak RSS (VmHWM)', readRssMb(server.pid).peak, 'MB');
      // The two cores' budget over the burst, and what the fake model and the clients took of it.
      const wallMs = endedAt - startedAt;
      add('burst wall time', wallMs);
      add('cores used by the server over the burst', cpu.allMs / wallMs, '');
      add('cores used by the fake model and the clients over the burst', (modelCpu! + clientCpu!) / wallMs, '');
      return [
        {
          name,
          windows: [{ label: `the whole burst (${streams} turns)`, fromMs: startedAt, toMs: endedAt, turns: streams }],
        },
      ];
    } finally {
      await server.stop();
    }
  };
}
