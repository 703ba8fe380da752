// PostgreSQL adapter of RunStore: one agent's rows of the shared `runs` table (migration 4).
import type { SQL } from 'bun';
import { runSeq, toRunRecord, type RunRow } from '../run-rows';
import type { RunStore, RunUpdate } from '../run-store.port';

/** The columns an update sets, encoded as the table stores them (JSON as text, like the SQLite adapter). */
function updateColumns(update: RunUpdate): Record<string, string | number | null> {
  const columns: Record<string, string | number | null> = {};
  if (update.status !== undefined) columns.status = update.status;
  if (update.finishedMs !== undefined) columns.finished_ms = update.finishedMs;
  if (update.model !== undefined) columns.model = update.model;
  if (update.attempts !== undefined) columns.attempts = update.attempts;
  if (update.usage !== undefined) columns.usage = update.usage ? JSON.stringify(update.usage) : null;
  if (update.error !== undefined) columns.error = update.error ? JSON.stringify(update.error) : null;
  if (update.approvalIds !== undefined) columns.approval_ids = JSON.stringify(update.approvalIds);
  return columns;
}

/**
 * The runs of agent `agentId` in the shared database. Unlike SQLite, opening does not interrupt active runs:
 * another replica may be running them; the orphan sweeper interrupts those whose replica is gone.
 */
export function createPostgresRunStore(sql: SQL, agentId: string): RunStore {
  const get = async (runId: string) => {
    const [row]: RunRow[] = await sql`SELECT * FROM runs WHERE agent_id = ${agentId} AND run_id = ${runId}`;
    return row ? toRunRecord(row) : null;
  };
  return {
    async insert(run) {
      await sql`INSERT INTO runs (agent_id, run_id, session_id, trigger_type, status, started_ms, model)
        VALUES (${agentId}, ${run.runId}, ${run.sessionId}, ${run.trigger}, 'running', ${run.startedMs}, ${run.model})`;
    },
    async update(runId, update) {
      const columns = updateColumns(update);
      if (Object.keys(columns).length === 0) return (await get(runId)) !== null;
      const changed = await sql`UPDATE runs SET ${sql(columns)}
        WHERE agent_id = ${agentId} AND run_id = ${runId} AND status IN ('running', 'waiting_approval')`;
      return changed.count > 0;
    },
    get,
    async list(filters, limit, before) {
      const session = filters.sessionId === undefined ? sql`` : sql`AND session_id = ${filters.sessionId}`;
      const status = filters.status === undefined ? sql`` : sql`AND status = ${filters.status}`;
      const older = before === undefined ? sql`` : sql`AND seq < ${before}`;
      const rows: RunRow[] = await sql`SELECT * FROM runs WHERE agent_id = ${agentId} ${session} ${status} ${older}
        ORDER BY seq DESC LIMIT ${limit + 1}`;
      const page = rows.slice(0, limit);
      return { runs: page.map(toRunRecord), next: rows.length > limit ? runSeq(page.at(-1)!) : null };
    },
    async interruptRunning(nowMs) {
      const changed = await sql`UPDATE runs SET status = 'interrupted', finished_ms = ${nowMs}
        WHERE agent_id = ${agentId} AND status IN ('running', 'waiting_approval')`;
      return changed.count;
    },
  };
}
