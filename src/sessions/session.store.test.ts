// Session list order and the query plans behind it, on a fresh in-memory agent database.
import { describe, expect, it } from 'bun:test';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { createSqliteSessionStore } from './session.store';

const FROZEN = { nowMs: () => 1_800_000_000_000 };

describe('createSqliteSessionStore list', () => {
  it('lists newest first in every scope, also when sessions share a timestamp', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    const sessions = createSqliteSessionStore(db, FROZEN);
    for (const title of ['first', 'second', 'third', 'fourth']) sessions.create(title);
    const archived = sessions.list('active').find((meta) => meta.title === 'second')!;
    sessions.archive(archived.sessionId);
    sessions.archive(sessions.list('active').find((meta) => meta.title === 'fourth')!.sessionId);
    const titles = (scope: 'active' | 'archived' | 'all') => sessions.list(scope).map((meta) => meta.title);
    expect(titles('active')).toEqual(['third', 'first']);
    expect(titles('archived')).toEqual(['fourth', 'second']);
    expect(titles('all')).toEqual(['third', 'first', 'fourth', 'second']);
  });

  it('reads the active and archived lists in index order instead of sorting every row', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    for (const where of ['archived_at IS NULL', 'archived_at IS NOT NULL']) {
      const plan = db
        .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE ${where} ORDER BY updated_at DESC, rowid DESC`)
        .all()
        .map((row) => row.detail);
      expect(plan.some((detail) => detail.includes('USING INDEX sessions_'))).toBe(true);
      // Sorting only the ties of the last ORDER BY term is fine; a full sort of the table is not.
      expect(plan.some((detail) => detail.includes('USE TEMP B-TREE FOR ORDER BY'))).toBe(false);
    }
  });
});

describe('createSqliteSessionStore recoverInterrupted', () => {
  it('keeps a stopped run\'s live snapshot as an interrupted reply and clears it; empty snapshots leave no message', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    const sessions = createSqliteSessionStore(db, FROZEN);
    const busy = sessions.create('busy');
    const quiet = sessions.create('quiet');
    const archived = sessions.create('archived');
    sessions.appendMessages(busy.sessionId, [{ role: 'user', content: 'hello' }]);
    sessions.setLiveResponse(busy.sessionId, { runId: 'r1', content: 'Half an ans', toolCalls: [], updatedAt: 1 });
    sessions.setLiveResponse(quiet.sessionId, { runId: 'r2', content: '', toolCalls: [], updatedAt: 1 });
    sessions.setLiveResponse(archived.sessionId, { runId: 'r3', content: 'partial', toolCalls: [], updatedAt: 1 });
    sessions.archive(archived.sessionId);
    expect(sessions.recoverInterrupted()).toBe(3);
    expect(sessions.messages(busy.sessionId).map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'hello', undefined],
      ['assistant', 'Half an ans', 'interrupted'],
    ]);
    expect(sessions.messages(quiet.sessionId)).toEqual([]);
    expect(sessions.messages(archived.sessionId).map((message) => message.status)).toEqual(['interrupted']);
    expect([busy, quiet].map((meta) => sessions.get(meta.sessionId).liveResponse)).toEqual([null, null]);
    expect(sessions.recoverInterrupted()).toBe(0);
  });
});

describe('createSqliteSessionStore internal sessions', () => {
  it('keeps cron and heartbeat sessions out of lists unless asked, in every scope', () => {
    using db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
    const sessions = createSqliteSessionStore(db, FROZEN);
    sessions.create('mine');
    sessions.create('Nightly job', '__cron__:job-1');
    sessions.create('Heartbeat', '__heartbeat__');
    sessions.create('underscore_title', '_single');
    sessions.archive('__cron__:job-1');
    const ids = (scope: 'active' | 'archived' | 'all', includeInternal?: boolean) => sessions.list(scope, { includeInternal }).map((meta) => meta.title).sort();
    expect(ids('active')).toEqual(['mine', 'underscore_title']);
    expect(ids('archived')).toEqual([]);
    expect(ids('all')).toEqual(['mine', 'underscore_title']);
    expect(ids('active', true)).toEqual(['Heartbeat', 'mine', 'underscore_title']);
    expect(ids('archived', true)).toEqual(['Nightly job']);
  });
});
