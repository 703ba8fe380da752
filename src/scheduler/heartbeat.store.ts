// SQL access for heartbeat run rows in the agent database.
import type { Database } from 'bun:sqlite';

export type HeartbeatStatus =
  | 'ok'
  | 'error'
  | 'skipped_outside_window'
  | 'skipped_no_prompt'
  | 'skipped_disabled'
  | 'skipped_busy'
  | 'skipped_budget';

export interface HeartbeatRun {
  timestampMs: number;
  status: HeartbeatStatus;
  timezone: string;
  trigger: 'scheduled' | 'manual';
  scheduledMs: number | null;
  scheduleLagMs: number | null;
  durationMs: number | null;
  runId: string | null;
  sessionId: string | null;
  details: Record<string, unknown>;
}

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

/** Rows kept per agent; older ones are dropped as new ones arrive. */
export const HEARTBEAT_RUN_RETENTION = 5000;

export interface HeartbeatStore {
  insert(run: HeartbeatRun): void;
  /** Newest first. */
  list(limit: number): HeartbeatRun[];
  /** When the last scheduled tick was due, or null before the first. */
  lastScheduledMs(): number | null;
}

export function createSqliteHeartbeatStore(db: Database): HeartbeatStore {
  const insert = db.query(
    `INSERT INTO heartbeat_runs (timestamp_ms, status, timezone, trigger, scheduled_ms, schedule_lag_ms, duration_ms, run_id, session_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const prune = db.query('DELETE FROM heartbeat_runs WHERE seq <= (SELECT max(seq) FROM heartbeat_runs) - ?');
  return {
    insert(run) {
      insert.run(
        run.timestampMs,
        run.status,
        run.timezone,
        run.trigger,
        run.scheduledMs,
        run.scheduleLagMs,
        run.durationMs,
        run.runId,
        run.sessionId,
        JSON.stringify(run.details),
      );
      prune.run(HEARTBEAT_RUN_RETENTION);
    },
    list: (limit) =>
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
    lastScheduledMs: () =>
      (db.query("SELECT max(scheduled_ms) AS at FROM heartbeat_runs WHERE trigger = 'scheduled'").get() as { at: number | null }).at,
  };
}
