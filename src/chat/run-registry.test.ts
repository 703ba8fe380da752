import { describe, expect, it } from 'bun:test';
import { createMemoryCoordinator } from '../coordination/memory/memory-coordinator';
import { systemClock } from '../shared/clock';
import { createRunRegistry } from './run-registry';

describe('run registry', () => {
  it('keeps finished runs for rejoining within a budget of characters, dropping the oldest first', async () => {
    const registry = createRunRegistry(createMemoryCoordinator(systemClock), { finishedChars: 25_000 });
    const ids: string[] = [];
    for (let index = 0; index < 4; index++) {
      const { run } = await registry.claim('agent', `s${index}`, 'm');
      run.publish({ type: 'tool_end', data: { run_id: run.runId, tool: 't', output: 'o'.repeat(10_000) } });
      run.finish();
      ids.push(run.runId);
      await registry.whenFree('agent', `s${index}`);
    }
    // A fifth claim prunes: the last two (10,128 characters each) fit in 25,000, the first two do not.
    const { run } = await registry.claim('agent', 's4', 'm');
    expect(ids.map((id) => registry.find('agent', id) !== null)).toEqual([false, false, true, true]);
    expect(registry.find('agent', run.runId)).toBe(run);
    run.finish();
  });

  it('drops the runs that finished first, not those that started first', async () => {
    const registry = createRunRegistry(createMemoryCoordinator(systemClock), { finishedChars: 15_000 });
    const long = (await registry.claim('agent', 'long', 'm')).run;
    const short = (await registry.claim('agent', 'short', 'm')).run;
    for (const run of [short, long]) {
      run.publish({ type: 'tool_end', data: { run_id: run.runId, tool: 't', output: 'o'.repeat(10_000) } });
      run.finish();
      // The next finish is later on the clock, not on the same tick.
      const finishedAt = performance.now();
      while (performance.now() === finishedAt);
    }
    await registry.whenFree('agent', 'long');
    const next = (await registry.claim('agent', 'next', 'm')).run;
    expect([long, short].map((run) => registry.find('agent', run.runId) !== null)).toEqual([true, false]);
    next.finish();
  });
});
