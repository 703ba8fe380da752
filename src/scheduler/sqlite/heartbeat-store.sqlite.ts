// SQLite adapter of HeartbeatStore: heartbeat run rows in the agent database.
import type { Database } from 'bun:sqlite';
import type { HeartbeatRun, HeartbeatStatus, HeartbeatStore } from '../scheduler.port';

interface Row {
  timestamp_ms: number;
  status: string;
  timezone: string;
  trigger: string;
  scheduled_ms: number | null;
  schedule_lag_ms: number | null;
  duration_ms: number | null;
  run_id: string | null;
  session_id: string | null;
  details: string;
}

export function createSqliteHeartbeatStore(db: Database): HeartbeatStore {
  const insert = db.query(
    `INSERT INTO heartbeat_runs (timestamp_ms, status, timezone, trigger, scheduled_ms, schedule_lag_ms, duration_ms, run_id, session_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const prune = db.query('DELETE FROM heartbeat_runs WHERE seq <= (SELECT max(seq) FROM heartbeat_runs) - ?');
  const store = (run: HeartbeatRun, status: HeartbeatRun['status']) =>
    insert.run(
      run.timestampMs,
      status,
      run.timezone,
      run.trigger,
      run.scheduledMs,
      run.scheduleLagMs,
      run.durationMs,
      run.runId,
      run.sessionId,
      JSON.stringify(run.details),
    );
  return {
    async insert(run, keep) {
      store(run, run.status);
      prune.run(keep);
    },
    async setWaiting(run, waiting) {
      if (!waiting) {
        db.query("DELETE FROM heartbeat_runs WHERE run_id = ? AND status = 'waiting_approval'").run(run.runId);
        return;
      }
      store(run, 'waiting_approval');
    },
    async interruptWaiting(sessionIds, reason) {
      let changed = 0;
      for (const sessionId of sessionIds)
        changed += db
          .query(
            `UPDATE heartbeat_runs SET status = 'interrupted', details = json_set(details, '$.reason', ?)
             WHERE status = 'waiting_approval' AND session_id = ?`,
          )
          .run(reason, sessionId).changes;
      return changed;
    },
    waitingSessions: async () =>
      db
        .query<{ session_id: string }, []>(
          "SELECT DISTINCT session_id FROM heartbeat_runs WHERE status = 'waiting_approval' AND session_id IS NOT NULL",
        )
        .all()
        .map((row) => row.session_id),
    list: async (limit) =>
      db
        .query<Row, [number]>('SELECT * FROM heartbeat_runs ORDER BY seq DESC LIMIT ?')
        .all(limit)
        .map((row) => ({
          timestampMs: row.timestamp_ms,
          status: row.status as HeartbeatStatus,
          timezone: row.timezone,
          trigger: row.trigger as HeartbeatRun['trigger'],
          scheduledMs: row.scheduled_ms,
          scheduleLagMs: row.schedule_lag_ms,
          durationMs: row.duration_ms,
          runId: row.run_id,
          sessionId: row.session_id,
          details: JSON.parse(row.details) as Record<string, unknown>,
        })),
    lastScheduledMs: async () =>
      (
        db.query("SELECT max(scheduled_ms) AS at FROM heartbeat_runs WHERE trigger = 'scheduled'").get() as {
          at: number | null;
        }
      ).at,
  };
}
