import { afterEach, describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { openFilesUnder } from '../../test/support/process-probe';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir';
import { createRuntimeConfigStore } from '../config';
import { agentLifecycleLock } from '../coordination';
import { createMemoryCoordinator } from '../coordination/memory/memory-coordinator';
import { isAppError } from '../shared/app-error';
import { silentLogger } from '../shared/logger';
import type { AgentStorage } from '../storage/agent-storage';
import { sqliteAgentStorage } from '../storage/sqlite/open-sqlite-agent-storage';
import { createAgentRegistry } from './agent-registry';
import { LEFTOVER_AGE_MS } from './workspace-leftovers';
import { createAgentsService, type AgentsService } from './agents.service';

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
  return undefined;
};

describe('agent handles', () => {
  let temp: TempDir;
  let registry: AgentsService<AgentStorage> | undefined;
  const clock = { now: 1_000_000, nowMs: () => clock.now };
  const coordinator = createMemoryCoordinator(clock);
  /** What deleting an agent does to rows kept outside its folder; a test may hold it up. */
  let forgetRows = async (_agentId: string) => undefined;
  /** The agents service over SQLite storage, started (as the server builds and starts it). */
  const openRegistry = (maxOpenAgents: number, idleCloseMs?: number) => {
    const configStore = createRuntimeConfigStore(temp.path, silentLogger);
    configStore.start();
    const openStorage = sqliteAgentStorage({ clock, logger: silentLogger });
    const agents = createAgentRegistry({
      dataDir: temp.path,
      configStore,
      openStorage,
      clock,
      logger: silentLogger,
      maxOpenAgents,
      idleCloseMs,
    });
    const service = createAgentsService({
      registry: agents,
      sessionCounts: (storage) => storage.sessions.counts(),
      coordinator,
      forgetRows: (agentId) => forgetRows(agentId),
      logger: silentLogger,
    });
    service.start();
    return service;
  };
  const open = (maxOpenAgents: number, idleCloseMs = 60_000) => {
    temp = makeTempDir('moc-handles-');
    registry = openRegistry(maxOpenAgents, idleCloseMs);
    return registry;
  };
  afterEach(() => {
    registry?.close();
    registry = undefined;
    temp[Symbol.dispose]();
  });

  it('removes what an interrupted create, delete or sandbox probe left, once old enough to be no one at work', () => {
    temp = makeTempDir('moc-handles-');
    const workspaces = join(temp.path, 'workspaces');
    const old = ['.creating-a-1', '.deleting-b-2', '.sandbox-probe-4242-0badf00d'];
    const young = ['.creating-c-3', '.sandbox-probe-4343-0ddba11c'];
    const stale = (Date.now() - LEFTOVER_AGE_MS - 60_000) / 1000;
    for (const name of [...old, ...young]) mkdirSync(join(workspaces, name, 'workspace'), { recursive: true });
    for (const name of old) utimesSync(join(workspaces, name), stale, stale);
    registry = openRegistry(4);
    expect(
      readdirSync(workspaces)
        .filter((name) => name.startsWith('.'))
        .sort(),
    ).toEqual(young.sort());
  });

  it('opens nothing at start or on get; a database opens on first use', async () => {
    const agents = open(4);
    await agents.create('a');
    agents.close();
    registry = openRegistry(4);
    const handle = registry.get('a');
    expect(registry.openCount()).toBe(0);
    expect(openFilesUnder(handle.root)).toEqual([]);
    await handle.storage.sessions.create('s1', 'first');
    expect(registry.openCount()).toBe(1);
    expect(openFilesUnder(handle.root).length).toBeGreaterThan(0);
  });

  it('closes the least recently used agent past the cap and reopens it transparently', async () => {
    const agents = open(2);
    for (const id of ['a', 'b', 'c']) await agents.create(id);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => agents.get(id));
    const session = await a!.storage.sessions.create('s1', 'kept');
    await b!.storage.sessions.list('active');
    await c!.storage.sessions.list('active');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(a!.root)).toEqual([]);
    expect((await a!.storage.sessions.find(session.sessionId))!.title).toBe('kept');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(b!.root)).toEqual([]);
  });

  it('never closes a leased agent; the open count comes back to the cap when the lease ends', async () => {
    const agents = open(1);
    for (const id of ['a', 'b', 'c']) await agents.create(id);
    const lease = agents.get('a').lease();
    const storage = lease.storage;
    await agents.get('b').storage.sessions.list('active');
    await agents.get('c').storage.sessions.list('active');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(agents.get('b').root)).toEqual([]);
    expect(await storage.sessions.counts()).toEqual({ active: 0, archived: 0, lastUpdatedAt: null });
    lease.release();
    expect(agents.openCount()).toBe(1);
  });

  it('closes storage unused for the idle time', async () => {
    const agents = open(10, 60_000);
    await agents.create('a');
    await agents.create('b');
    await agents.get('a').storage.sessions.list('active');
    clock.now += 60_001;
    await agents.get('b').storage.sessions.list('active');
    expect(openFilesUnder(agents.get('a').root)).toEqual([]);
    expect(openFilesUnder(agents.get('b').root).length).toBeGreaterThan(0);
  });

  it('deletes at once for new users; a lease keeps the storage until released, then the folder goes', async () => {
    const agents = open(4);
    await agents.create('gone');
    const lease = agents.get('gone').lease();
    const sessions = lease.storage.sessions;
    const workspaces = join(temp.path, 'workspaces');
    await agents.delete('gone');
    expect(lease.signal.aborted).toBe(true);
    expect(codeOf(() => agents.get('gone'))).toBe('not_found');
    expect(codeOf(() => lease.storage)).toBe('agent_deleted');
    expect(codeOf(() => lease.lease())).toBe('agent_deleted');
    // What the lease holder already has keeps working until it lets go.
    expect(await sessions.list('active')).toEqual([]);
    const trash = readdirSync(workspaces).filter((name) => name.startsWith('.deleting-gone-'));
    expect(trash).toHaveLength(1);
    expect(openFilesUnder(join(workspaces, trash[0]!)).length).toBeGreaterThan(0);
    lease.release();
    expect(openFilesUnder(join(workspaces, trash[0]!))).toEqual([]);
    expect(existsSync(join(workspaces, trash[0]!))).toBe(false);
    expect(agents.openCount()).toBe(0);
  });

  it('creates and deletes one id at a time, and frees a deleted id only once its outside rows are gone', async () => {
    const agents = open(4);
    const held = await coordinator.tryLock(agentLifecycleLock('busy'));
    // Another request (or replica) holds the id: both answers are a 409 and nothing changes.
    await expect(agents.create('busy')).rejects.toMatchObject({ code: 'conflict' });
    expect(agents.ids()).not.toContain('busy');
    await held!.release();
    await agents.create('busy');
    let rowsGone!: () => void;
    const forgetting = Promise.withResolvers<string>();
    forgetRows = (agentId) => {
      forgetting.resolve(agentId);
      return new Promise<undefined>((resolve) => {
        rowsGone = () => resolve(undefined);
      });
    };
    const deleting = agents.delete('busy');
    expect(await forgetting.promise).toBe('busy');
    expect(agents.ids()).not.toContain('busy');
    await expect(agents.create('busy')).rejects.toMatchObject({ code: 'conflict' });
    await expect(agents.delete('busy')).rejects.toMatchObject({ code: 'conflict' });
    rowsGone();
    await deleting;
    forgetRows = async () => undefined;
    expect((await agents.create('busy')).agentId).toBe('busy');
  });

  it('gives a re-created agent a fresh handle while the old one is still leased', async () => {
    const agents = open(4);
    await agents.create('twice');
    const old = agents.get('twice').lease();
    await old.storage.sessions.create('s1', 'old life');
    await agents.delete('twice');
    await agents.create('twice');
    const fresh = agents.get('twice');
    expect(fresh).not.toBe(old);
    expect(fresh.signal.aborted).toBe(false);
    expect(await fresh.storage.sessions.list('active')).toEqual([]);
    old.release();
    expect((await fresh.storage.sessions.create('s2', 'new life')).title).toBe('new life');
  });

  it('lists from remembered summaries, recomputed only for agents used since', async () => {
    const agents = open(1);
    for (const id of ['a', 'b', 'c']) await agents.create(id);
    const first = await agents.list();
    expect(first.map((meta) => [meta.agentId, meta.activeSessions])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 0],
      ['default', 0],
    ]);
    const opened = agents.openCount();
    expect(await agents.list()).toEqual(first);
    expect(agents.openCount()).toBe(opened);
    await agents.get('b').storage.sessions.create('s1', 'new');
    expect((await agents.list()).map((meta) => [meta.agentId, meta.activeSessions])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 0],
      ['default', 0],
    ]);
  });
});
