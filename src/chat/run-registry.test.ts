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
});
