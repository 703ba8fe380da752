// The SQLite RunStore: the `runs` table of agent.db (migration 8); rows become camelCase records here.
import type { Database } from 'bun:sqlite';
import { runSeq, toRunRecord, type RunRow } from '../run-rows';
import type { NewRun, RunFilters, RunStore, RunUpdate } from '../run-store.port';

const ACTIVE = "status IN ('running', 'waiting_approval')";

/** Column and encoder of each updatable field. */
const COLUMNS: { [K in keyof Required<RunUpdate>]: [string, (value: RunUpdate[K]) => string | number | null] } = {
  status: ['status', (value) => value ?? null],
  finishedMs: ['finished_ms', (value) => value ?? null],
  model: ['model', (value) => value ?? null],
  attempts: ['attempts', (value) => value ?? 1],
  usage: ['usage', (value) => (value ? JSON.stringify(value) : null)],
  error: ['error', (value) => (value ? JSON.stringify(value) : null)],
  approvalIds: ['approval_ids', (value) => JSON.stringify(value ?? [])],
};

/**
 * Runs left active by an earlier process become `interrupted`; called when the agent's database opens. With
 * `keepPaused`, a run waiting for approvals whose state is checkpointed stays `waiting_approval`: it goes on
 * once its approvals are decided (see paused-runs.ts).
 */
export function recoverInterruptedRuns(db: Database, nowMs: number, keepPaused = false): number {
  const kept = keepPaused
    ? " AND NOT (status = 'waiting_approval' AND run_id IN (SELECT run_id FROM run_checkpoints))"
    : '';
  return db.query(`UPDATE runs SET status = 'interrupted', finished_ms = ? WHERE ${ACTIVE}${kept}`).run(nowMs).changes;
}

export function createSqliteRunStore(db: Database): RunStore {
  return {
    async insert(run: NewRun) {
      db.query(
        `INSERT INTO runs (run_id, session_id, trigger_type, status, started_ms, model) VALUES (?, ?, ?, 'running', ?, ?)`,
      ).run(run.runId, run.sessionId, run.trigger, run.startedMs, run.model);
    },
    async update(runId, update) {
      const entries = Object.entries(update).filter(([, value]) => value !== undefined) as [keyof RunUpdate, never][];
      if (entries.length === 0) return (await this.get(runId)) !== null;
      const sets = entries.map(([key]) => `${COLUMNS[key][0]} = ?`).join(', ');
      const values = entries.map(([key, value]) =>
        (COLUMNS[key][1] as (value: unknown) => string | number | null)(value),
      );
      return db.query(`UPDATE runs SET ${sets} WHERE run_id = ? AND ${ACTIVE}`).run(...values, runId).changes > 0;
    },
    async get(runId) {
      const row = db.query<RunRow, [string]>('SELECT * FROM runs WHERE run_id = ?').get(runId);
      return row ? toRunRecord(row) : null;
    },
    async list(filters: RunFilters, limit, before) {
      const conditions: [string, string | number | undefined][] = [
        ['session_id = ?', filters.sessionId],
        ['status = ?', filters.status],
        ['seq < ?', before],
      ];
      const used = conditions.filter(([, value]) => value !== undefined) as [string, string | number][];
      const values = used.map(([, value]) => value);
      const clause = used.length > 0 ? `WHERE ${used.map(([sql]) => sql).join(' AND ')}` : '';
      const rows = db
        .query<RunRow, (string | number)[]>(`SELECT * FROM runs ${clause} ORDER BY seq DESC LIMIT ?`)
        .all(...values, limit + 1);
      const page = rows.slice(0, limit);
      return { runs: page.map(toRunRecord), next: rows.length > limit ? runSeq(page.at(-1)!) : null };
    },
    interruptRunning: async (nowMs) => recoverInterruptedRuns(db, nowMs),
  };
}
