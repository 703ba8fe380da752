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
    async setWaiting(run, waiting) {
      if (!waiting) {
        await sql`DELETE FROM heartbeat_runs WHERE agent_id = ${agentId} AND run_id = ${run.runId} AND status = 'waiting_approval'`;
        return;
      }
      await sql`INSERT INTO heartbeat_runs (agent_id, timestamp_ms, status, timezone, trigger, scheduled_ms, schedule_lag_ms, duration_ms, run_id, session_id, details)
        VALUES (${agentId}, ${run.timestampMs}, 'waiting_approval', ${run.timezone}, ${run.trigger}, ${run.scheduledMs},
          ${run.scheduleLagMs}, ${run.durationMs}, ${run.runId}, ${run.sessionId}, ${JSON.stringify(run.details)})`;
    },
    async interruptWaiting(sessionIds, reason) {
      if (sessionIds.length === 0) return 0;
      const rows: { seq: string; details: string }[] = await sql`SELECT seq, details FROM heartbeat_runs
        WHERE agent_id = ${agentId} AND status = 'waiting_approval' AND session_id IN ${sql(sessionIds as string[])}`;
      for (const row of rows) {
        const details = JSON.stringify({ ...JSON.parse(row.details), reason });
        await sql`UPDATE heartbeat_runs SET status = 'interrupted', details = ${details}
          WHERE agent_id = ${agentId} AND seq = ${row.seq} AND status = 'waiting_approval'`;
      }
      return rows.length;
    },
    async waitingSessions() {
      const rows: { session_id: string }[] = await sql`SELECT DISTINCT session_id FROM heartbeat_runs
        WHERE agent_id = ${agentId} AND status = 'waiting_approval' AND session_id IS NOT NULL`;
      return rows.map((row) => row.session_id);
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
