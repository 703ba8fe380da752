// The SQLite RunCheckpointStore: the `run_checkpoints` table of agent.db (migration 11).
import type { Database } from 'bun:sqlite';
import type { RunCheckpoint, RunCheckpointStore } from '../run-checkpoint.port';

interface CheckpointRow {
  run_id: string;
  session_id: string;
  state: string;
  updated_ms: number;
}

const toCheckpoint = (row: CheckpointRow): RunCheckpoint => ({
  runId: row.run_id,
  sessionId: row.session_id,
  state: JSON.parse(row.state),
  updatedMs: row.updated_ms,
});

/**
 * At open: checkpoints whose run is no longer waiting for approvals are dropped; returns the sessions of the
 * ones kept (their live snapshot stays: the paused run goes on and stores its reply).
 */
export function keepPausedRuns(db: Database): Set<string> {
  db.exec(
    "DELETE FROM run_checkpoints WHERE run_id NOT IN (SELECT run_id FROM runs WHERE status = 'waiting_approval')",
  );
  return new Set(
    db
      .query<{ session_id: string }, []>('SELECT session_id FROM run_checkpoints')
      .all()
      .map((row) => row.session_id),
  );
}

export function createSqliteRunCheckpointStore(db: Database): RunCheckpointStore {
  return {
    async put(checkpoint) {
      db.query(
        `INSERT INTO run_checkpoints (run_id, session_id, state, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET session_id = excluded.session_id, state = excluded.state, updated_ms = excluded.updated_ms`,
      ).run(checkpoint.runId, checkpoint.sessionId, JSON.stringify(checkpoint.state), checkpoint.updatedMs);
    },
    async get(runId) {
      const row = db.query<CheckpointRow, [string]>('SELECT * FROM run_checkpoints WHERE run_id = ?').get(runId);
      return row ? toCheckpoint(row) : null;
    },
    async list(limit) {
      return db
        .query<CheckpointRow, [number]>('SELECT * FROM run_checkpoints ORDER BY updated_ms, run_id LIMIT ?')
        .all(limit)
        .map(toCheckpoint);
    },
    async delete(runId) {
      return db.query('DELETE FROM run_checkpoints WHERE run_id = ?').run(runId).changes > 0;
    },
  };
}
