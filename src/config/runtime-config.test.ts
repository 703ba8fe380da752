import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { silentLogger } from '../shared/logger';
import { createRuntimeConfigStore } from './runtime-config';

const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runtime config store: config files looked at once per task', () => {
  it('sees a hand edit from the next task on, not in the task that read the file, and its own writes at once', async () => {
    using temp = makeTempDir('moc-runtime-config-');
    const agentRoot = join(temp.path, 'workspaces', 'a');
    mkdirSync(agentRoot, { recursive: true });
    const store = createRuntimeConfigStore(temp.path, silentLogger);
    store.start();
    await nextTask();
    expect(store.effective(agentRoot).llm_runtime.temperature).toBe(0.2);

    // An operator edits the agent's file by hand: the task that already read it keeps its answer; the next sees it.
    writeFileSync(join(agentRoot, 'config.json'), JSON.stringify({ llm_runtime: { temperature: 0.7 } }));
    expect(store.effective(agentRoot).llm_runtime.temperature).toBe(0.2);
    await nextTask();
    expect(store.effective(agentRoot).llm_runtime.temperature).toBe(0.7);

    // A write through the store is read back at once, in the same task.
    store.update(agentRoot, { llm_runtime: { temperature: 0.9 } });
    expect(store.effective(agentRoot).llm_runtime.temperature).toBe(0.9);
  });
});
