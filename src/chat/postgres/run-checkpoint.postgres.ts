// PostgreSQL adapter of RunCheckpointStore: one agent's rows of the shared `run_checkpoints` table (migration 6).
import type { SQL } from 'bun';
import { toNumber } from '../../db/postgres/row-values';
import type { RunCheckpoint, RunCheckpointStore } from '../run-checkpoint.port';

interface Row {
  run_id: string;
  session_id: string;
  state: string;
  updated_ms: string;
}

const toCheckpoint = (row: Row): RunCheckpoint => ({
  runId: row.run_id,
  sessionId: row.session_id,
  state: JSON.parse(row.state),
  updatedMs: toNumber(row.updated_ms),
});

export function createPostgresRunCheckpointStore(sql: SQL, agentId: string): RunCheckpointStore {
  return {
    async put(checkpoint) {
      const state = JSON.stringify(checkpoint.state);
      await sql`INSERT INTO run_checkpoints (agent_id, run_id, session_id, state, updated_ms)
        VALUES (${agentId}, ${checkpoint.runId}, ${checkpoint.sessionId}, ${state}, ${checkpoint.updatedMs})
        ON CONFLICT (agent_id, run_id) DO UPDATE
          SET session_id = EXCLUDED.session_id, state = EXCLUDED.state, updated_ms = EXCLUDED.updated_ms`;
    },
    async get(runId) {
      const [row]: Row[] = await sql`SELECT * FROM run_checkpoints WHERE agent_id = ${agentId} AND run_id = ${runId}`;
      return row ? toCheckpoint(row) : null;
    },
    async list(limit) {
      const rows: Row[] = await sql`SELECT * FROM run_checkpoints WHERE agent_id = ${agentId}
        ORDER BY updated_ms, run_id LIMIT ${limit}`;
      return rows.map(toCheckpoint);
    },
    async delete(runId) {
      const deleted = await sql`DELETE FROM run_checkpoints WHERE agent_id = ${agentId} AND run_id = ${runId}`;
      return deleted.count > 0;
    },
  };
}
