import { afterEach, describe, expect, it } from 'bun:test';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir';
import { createRuntimeConfigStore } from '../config';
import { silentLogger } from '../shared/logger';
import type { AgentStorage } from '../storage/agent-storage';
import { sqliteAgentStorage } from '../storage/sqlite/open-sqlite-agent-storage';
import { createAgentRegistry, type AgentRegistry } from './agent-registry';

describe('agent registry on a folder another replica shares', () => {
  let temp: TempDir;
  const opened: AgentRegistry<AgentStorage>[] = [];
  const clock = { nowMs: () => Date.now() };
  /** One replica's registry over the shared data folder, started. */
  const replica = () => {
    const configStore = createRuntimeConfigStore(temp.path, silentLogger);
    configStore.start();
    const registry = createAgentRegistry({
      dataDir: temp.path,
      configStore,
      openStorage: sqliteAgentStorage({ clock, logger: silentLogger }),
      clock,
      logger: silentLogger,
      sharedFolder: true,
    });
    registry.start();
    opened.push(registry);
    return registry;
  };
  afterEach(() => {
    for (const registry of opened.splice(0)) registry.close();
    temp[Symbol.dispose]();
  });

  it('retires a handle whose agent another replica deleted: its lease ends agent_deleted, its signal aborts', () => {
    temp = makeTempDir('moc-registry-');
    const [a, b] = [replica(), replica()];
    b.create('victim');
    const lease = a.get('victim').lease();
    expect(a.noticeDeletions()).toEqual([]);

    b.delete('victim');
    expect(lease.signal.aborted).toBe(false);
    expect(a.noticeDeletions()).toEqual(['victim']);
    expect(lease.signal.reason).toMatchObject({ code: 'agent_deleted' });
    expect(() => lease.storage).toThrow(expect.objectContaining({ code: 'agent_deleted' }));
    lease.release();
    expect(() => a.get('victim')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(a.noticeDeletions()).toEqual([]);
  });

  it('gives a new handle for an agent deleted and created again elsewhere, and retires the old one', () => {
    temp = makeTempDir('moc-registry-');
    const [a, b] = [replica(), replica()];
    b.create('victim');
    const old = a.get('victim');
    b.delete('victim');
    b.create('victim');

    const fresh = a.get('victim');
    expect(fresh).not.toBe(old);
    expect(old.signal.aborted).toBe(true);
    expect(fresh.signal.aborted).toBe(false);
    expect(a.noticeDeletions()).toEqual([]);
    expect(a.all().find((handle) => handle.id === 'victim')).toBe(fresh);
  });
});
