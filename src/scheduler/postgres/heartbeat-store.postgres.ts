// PostgreSQL adapter of HeartbeatStore: one agent's heartbeat run rows in the shared database.
import type { SQL } from 'bun';
import { toNumber, toNumberOrNull } from '../../db/postgres/row-values';
import type { HeartbeatRun, HeartbeatStatus, HeartbeatStore } from '../scheduler.port';

type Row = Record<string, unknown>;

const toRun = (row: Row): HeartbeatRun => ({
  timestampMs: toNumber(row.timestamp_ms),
  status: row.status as HeartbeatStatus,
  timezone: String(row.timezone),
  trigger: row.trigger as HeartbeatRun['trigger'],
  scheduledMs: toNumberOrNull(row.scheduled_ms),
  scheduleLagMs: toNumberOrNull(row.schedule_lag_ms),
  durationMs: toNumberOrNull(row.duration_ms),
  runId: (row.run_id as string | null) ?? null,
  sessionId: (row.session_id as string | null) ?? null,
  details: JSON.parse(String(row.details)) as Record<string, unknown>,
});

/** The heartbeat rows of agent `agentId` in the shared database. */
export function createPostgresHeartbeatStore(sql: SQL, agentId: string): HeartbeatStore {
  return {
    async insert(run, keep) {
      await sql.begin(async (tx) => {
        await tx`INSERT INTO heartbeat_runs (agent_id, timestamp_ms, status, timezone, trigger, scheduled_ms, schedule_lag_ms, duration_ms, run_id, session_id, details)
          VALUES (${agentId}, ${run.timestampMs}, ${run.status}, ${run.timezone}, ${run.trigger}, ${run.scheduledMs},
            ${run.scheduleLagMs}, ${run.durationMs}, ${run.runId}, ${run.sessionId}, ${JSON.stringify(run.details)})`;
        await tx`DELETE FROM heartbeat_runs WHERE agent_id = ${agentId} AND seq < (SELECT coalesce(min(seq), 0) FROM
          (SELECT seq FROM heartbeat_runs WHERE agent_id = ${agentId} ORDER BY seq DESC LIMIT ${keep}) AS kept)`;
      });
    },
    async list(limit) {
      const rows: Row[] =
        await sql`SELECT * FROM heartbeat_runs WHERE agent_id = ${agentId} ORDER BY seq DESC LIMIT ${limit}`;
      return rows.map(toRun);
    },
    async lastScheduledMs() {
      const [row] = await sql`SELECT max(scheduled_ms) AS at FROM heartbeat_runs
        WHERE agent_id = ${agentId} AND trigger = 'scheduled'`;
      return toNumberOrNull(row.at);
    },
  };
}
