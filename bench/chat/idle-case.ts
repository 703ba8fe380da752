// Idle memory with a chat model configured: what warming at start (APP_WARM_START) leaves resident once the server has settled.
import { openServer, type BenchCase } from './case-kit';
import { readRssMb, waitUntilQuiet } from './process-cpu';
import { percentile } from './run-report';

/**
 * `starts` fresh servers with warming on (the default) and as many with `APP_WARM_START=0`, interleaved. Each is
 * left to settle (no CPU over a window: start-up indexing, the warm-up and the collection after them are over)
 * and its resident memory (VmRSS) is read. The budget: warming adds at most 20 MB.
 */
export function idleCase(name: string, starts: number): BenchCase {
  return async (context) => {
    const resident: Record<'warm' | 'cold', number[]> = { warm: [], cold: [] };
    for (let start = 0; start < starts; start++) {
      for (const mode of ['warm', 'cold'] as const) {
        const server = await openServer(context, `${name}-${mode}-${start + 1}`, {
          env: mode === 'cold' ? { APP_WARM_START: '0' } : {},
        });
        try {
          await waitUntilQuiet(server.pid, { windowMs: 500, quietMs: 2, timeoutMs: 20_000 });
          resident[mode].push(readRssMb(server.pid).rss);
        } finally {
          await server.stop();
        }
      }
    }
    const add = (measure: string, value: number, target?: string) =>
      context.report.add(name, measure, value, 'MB', target);
    const warm = percentile(resident.warm, 50);
    const cold = percentile(resident.cold, 50);
    console.log(
      `  VmRSS warm: ${resident.warm.map((mb) => mb.toFixed(1)).join(', ')} MB; without warming: ${resident.cold.map((mb) => mb.toFixed(1)).join(', ')} MB`,
    );
    add('idle RSS, warmed at start, p50 (VmRSS)', warm);
    add('idle RSS, APP_WARM_START=0, p50 (VmRSS)', cold);
    add('added by warming at start', warm - cold, '≤ 20 MB');
    return [];
  };
}
