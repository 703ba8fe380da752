import { afterEach, describe, expect, it } from 'bun:test';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openFilesUnder } from '../../test/support/process-probe';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir';
import { createRuntimeConfigStore } from '../config/runtime-config';
import { isAppError } from '../shared/app-error';
import { silentLogger } from '../shared/logger';
import { openAgentRegistry, type AgentRegistry } from './agent-registry';

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
  let registry: AgentRegistry | undefined;
  const clock = { now: 1_000_000, nowMs: () => clock.now };
  const open = (maxOpenAgents: number, idleCloseMs = 60_000) => {
    temp = makeTempDir('moc-handles-');
    registry = openAgentRegistry({ dataDir: temp.path, configStore: createRuntimeConfigStore(temp.path, silentLogger), clock, logger: silentLogger, maxOpenAgents, idleCloseMs });
    return registry;
  };
  afterEach(() => {
    registry?.close();
    registry = undefined;
    temp[Symbol.dispose]();
  });

  it('opens nothing at start or on get; a database opens on first use', () => {
    const agents = open(4);
    agents.create('a');
    agents.close();
    registry = openAgentRegistry({ dataDir: temp.path, configStore: createRuntimeConfigStore(temp.path, silentLogger), clock, logger: silentLogger, maxOpenAgents: 4 });
    const handle = registry.get('a');
    expect(registry.openCount()).toBe(0);
    expect(openFilesUnder(handle.root)).toEqual([]);
    handle.sessions.create('first');
    expect(registry.openCount()).toBe(1);
    expect(openFilesUnder(handle.root).length).toBeGreaterThan(0);
  });

  it('closes the least recently used agent past the cap and reopens it transparently', () => {
    const agents = open(2);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => (agents.create(id), agents.get(id)));
    const session = a!.sessions.create('kept');
    b!.sessions.list('active');
    c!.sessions.list('active');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(a!.root)).toEqual([]);
    expect(a!.sessions.get(session.sessionId).title).toBe('kept');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(b!.root)).toEqual([]);
  });

  it('never closes a leased agent; the open count comes back to the cap when the lease ends', () => {
    const agents = open(1);
    for (const id of ['a', 'b', 'c']) agents.create(id);
    const lease = agents.get('a').lease();
    const db = lease.db;
    agents.get('b').sessions.list('active');
    agents.get('c').sessions.list('active');
    expect(agents.openCount()).toBe(2);
    expect(openFilesUnder(agents.get('b').root)).toEqual([]);
    expect(db.query('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    lease.release();
    expect(agents.openCount()).toBe(1);
  });

  it('closes storage unused for the idle time', () => {
    const agents = open(10, 60_000);
    agents.create('a');
    agents.create('b');
    agents.get('a').sessions.list('active');
    clock.now += 60_001;
    agents.get('b').sessions.list('active');
    expect(openFilesUnder(agents.get('a').root)).toEqual([]);
    expect(openFilesUnder(agents.get('b').root).length).toBeGreaterThan(0);
  });

  it('deletes at once for new users; a lease keeps the storage until released, then the folder goes', () => {
    const agents = open(4);
    agents.create('gone');
    const lease = agents.get('gone').lease();
    const sessions = lease.sessions;
    const workspaces = join(temp.path, 'workspaces');
    agents.delete('gone');
    expect(lease.signal.aborted).toBe(true);
    expect(codeOf(() => agents.get('gone'))).toBe('not_found');
    expect(codeOf(() => lease.db)).toBe('agent_deleted');
    expect(codeOf(() => lease.lease())).toBe('agent_deleted');
    // What the lease holder already has keeps working until it lets go.
    expect(sessions.list('active')).toEqual([]);
    const trash = readdirSync(workspaces).filter((name) => name.startsWith('.deleting-gone-'));
    expect(trash).toHaveLength(1);
    expect(openFilesUnder(join(workspaces, trash[0]!)).length).toBeGreaterThan(0);
    lease.release();
    expect(openFilesUnder(join(workspaces, trash[0]!))).toEqual([]);
    expect(existsSync(join(workspaces, trash[0]!))).toBe(false);
    expect(agents.openCount()).toBe(0);
  });

  it('gives a re-created agent a fresh handle while the old one is still leased', () => {
    const agents = open(4);
    agents.create('twice');
    const old = agents.get('twice').lease();
    old.sessions.create('old life');
    agents.delete('twice');
    agents.create('twice');
    const fresh = agents.get('twice');
    expect(fresh).not.toBe(old);
    expect(fresh.signal.aborted).toBe(false);
    expect(fresh.sessions.list('active')).toEqual([]);
    old.release();
    expect(fresh.sessions.create('new life').title).toBe('new life');
  });

  it('lists from remembered summaries, recomputed only for agents used since', () => {
    const agents = open(1);
    for (const id of ['a', 'b', 'c']) agents.create(id);
    const first = agents.list();
    expect(first.map((meta) => [meta.agentId, meta.activeSessions])).toEqual([['a', 0], ['b', 0], ['c', 0], ['default', 0]]);
    const opened = agents.openCount();
    expect(agents.list()).toEqual(first);
    expect(agents.openCount()).toBe(opened);
    agents.get('b').sessions.create('new');
    expect(agents.list().map((meta) => [meta.agentId, meta.activeSessions])).toEqual([['a', 0], ['b', 1], ['c', 0], ['default', 0]]);
  });
});
