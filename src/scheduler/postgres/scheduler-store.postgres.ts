// PostgreSQL adapter of SchedulerStore: one agent's cron jobs and run rows; a run settles under a lock of its job row.
import type { SQL, TransactionSQL } from 'bun';
import { toNumberOrNull } from '../../db/postgres/row-values';
import { JOB_COLUMNS, RUN_COLUMNS } from '../scheduler-columns';
import type { CronJob, CronRun, CronRunStatus, SchedulerStore } from '../scheduler.port';

type Row = Record<string, unknown>;
type Runner = SQL | TransactionSQL;

const JOB_NUMBERS = ['anchorMs', 'nextRunMs', 'createdMs', 'updatedMs', 'lastRunMs', 'lastSuccessMs'] as const;
const RUN_NUMBERS = [
  'timestampMs',
  'scheduledMs',
  'startedMs',
  'finishedMs',
  'scheduleLagMs',
  'durationMs',
  'nextRunMs',
] as const;

function toSql(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

function toJob(row: Row): CronJob {
  const job = {} as Record<string, unknown>;
  for (const [key, column] of Object.entries(JOB_COLUMNS)) job[key] = row[column];
  for (const key of JOB_NUMBERS) job[key] = toNumberOrNull(job[key]);
  return job as unknown as CronJob;
}

function toRun(row: Row): CronRun {
  const run = {} as Record<string, unknown>;
  for (const [key, column] of Object.entries(RUN_COLUMNS)) run[key] = row[column];
  for (const key of RUN_NUMBERS) run[key] = toNumberOrNull(run[key]);
  run.details = row.details ? JSON.parse(String(row.details)) : {};
  return run as unknown as CronRun;
}

/** `UPDATE table SET ... WHERE agent_id = $1 AND id = $2` for the fields of `patch` that have columns; null when none. */
function update<T extends object>(
  table: string,
  columns: Record<keyof T, string>,
  patch: Partial<T>,
  agentId: string,
  id: string,
): { text: string; values: unknown[] } | null {
  const entries = Object.entries(patch).filter(([key]) => key in columns);
  if (entries.length === 0) return null;
  const sets = entries.map(([key], index) => `${columns[key as keyof T]} = $${index + 3}`).join(', ');
  return {
    text: `UPDATE ${table} SET ${sets} WHERE agent_id = $1 AND id = $2`,
    values: [agentId, id, ...entries.map(([, value]) => toSql(value))],
  };
}

/** The cron jobs and runs of agent `agentId` in the shared database. */
export function createPostgresSchedulerStore(sql: SQL, agentId: string): SchedulerStore {
  const getJob = async (runner: Runner, id: string, lock = false): Promise<CronJob | null> => {
    const forUpdate = lock ? runner`FOR UPDATE` : runner``;
    const [row] = await runner`SELECT * FROM cron_jobs WHERE agent_id = ${agentId} AND id = ${id} ${forUpdate}`;
    return row ? toJob(row) : null;
  };
  const updateJob = async (runner: Runner, id: string, patch: Partial<CronJob>) => {
    const statement = update('cron_jobs', JOB_COLUMNS, patch, agentId, id);
    if (statement) await runner.unsafe(statement.text, statement.values);
  };
  const updateRun = async (runner: Runner, id: string, patch: Partial<CronRun>) => {
    const statement = update('cron_runs', RUN_COLUMNS, patch, agentId, id);
    if (statement) await runner.unsafe(statement.text, statement.values);
  };
  const insertRuns = async (runner: Runner, runs: readonly CronRun[]) => {
    if (runs.length === 0) return;
    const rows = runs.map((run) => {
      const row: Row = { agent_id: agentId };
      for (const [key, column] of Object.entries(RUN_COLUMNS)) row[column] = toSql(run[key as keyof CronRun]);
      return row;
    });
    await runner`INSERT INTO cron_runs ${runner(rows)}`;
  };
  const pruneRuns = async (runner: Runner, status: CronRunStatus | 'not_error', keep: number) => {
    const filter = status === 'not_error' ? "status NOT IN ('error', 'running', 'waiting_approval')" : 'status = $3';
    await runner.unsafe(
      `DELETE FROM cron_runs WHERE agent_id = $1 AND ${filter} AND seq < (SELECT coalesce(min(seq), 0) FROM
        (SELECT seq FROM cron_runs WHERE agent_id = $1 AND ${filter} ORDER BY seq DESC LIMIT $2) AS kept)`,
      status === 'not_error' ? [agentId, keep] : [agentId, keep, status],
    );
  };

  return {
    async listJobs() {
      const rows: Row[] = await sql`SELECT * FROM cron_jobs WHERE agent_id = ${agentId} ORDER BY created_ms, seq`;
      return rows.map(toJob);
    },
    getJob: (id) => getJob(sql, id),
    async insertJob(job) {
      const row: Row = { agent_id: agentId };
      for (const [key, column] of Object.entries(JOB_COLUMNS)) row[column] = toSql(job[key as keyof CronJob]);
      await sql`INSERT INTO cron_jobs ${sql(row)}`;
    },
    async updateJob(id, patch) {
      await updateJob(sql, id, patch);
      return await getJob(sql, id);
    },
    async deleteJob(id) {
      const result = await sql`DELETE FROM cron_jobs WHERE agent_id = ${agentId} AND id = ${id}`;
      return result.count > 0;
    },
    async upcoming(limit) {
      const rows: { id: string; next_run_ms: string }[] = await sql`SELECT id, next_run_ms FROM cron_jobs
        WHERE agent_id = ${agentId} AND enabled AND next_run_ms IS NOT NULL ORDER BY next_run_ms LIMIT ${limit}`;
      return rows.map((row) => ({ id: row.id, nextRunMs: Number(row.next_run_ms) }));
    },
    async addRuns(runs, jobId, changes, scheduled) {
      await sql.begin(async (tx) => {
        await insertRuns(tx, runs);
        if (changes) await updateJob(tx, jobId, changes);
        if (scheduled && (await getJob(tx, jobId, true))?.scheduleRev === scheduled.scheduleRev)
          await updateJob(tx, jobId, scheduled.changes);
      });
    },
    async settleRun(jobId, settle) {
      return await sql.begin(async (tx) => {
        const current = await getJob(tx, jobId, true);
        const settlement = settle(current);
        const [stored] = await tx`SELECT status FROM cron_runs WHERE agent_id = ${agentId} AND id = ${settlement.run.id}
          FOR UPDATE`;
        if (stored && stored.status !== 'running' && stored.status !== 'waiting_approval') return null;
        await updateRun(tx, settlement.run.id, settlement.run);
        if (current && settlement.job) await updateJob(tx, jobId, settlement.job);
        if (settlement.prune) await pruneRuns(tx, settlement.prune.status, settlement.prune.keep);
        return settlement.run;
      });
    },
    async markRun(id, status, runId) {
      const changed = await sql`UPDATE cron_runs SET status = ${status}, run_id = ${runId}
        WHERE agent_id = ${agentId} AND id = ${id} AND status IN ('running', 'waiting_approval')`;
      return changed.count > 0;
    },
    async getRun(id) {
      const [row] = await sql`SELECT * FROM cron_runs WHERE agent_id = ${agentId} AND id = ${id}`;
      return row ? toRun(row) : null;
    },
    async listRuns(limit, statuses) {
      const filter = statuses ? sql`AND status IN ${sql(statuses as CronRunStatus[])}` : sql``;
      const rows: Row[] =
        await sql`SELECT * FROM cron_runs WHERE agent_id = ${agentId} ${filter} ORDER BY seq DESC LIMIT ${limit}`;
      return rows.map(toRun);
    },
    async interruptRunning(interrupt, jobIds) {
      if (jobIds?.size === 0) return 0;
      return await sql.begin(async (tx) => {
        const ofJobs = jobIds ? tx`AND job_id IN ${tx([...jobIds])}` : tx``;
        // Each job before its run, the order settleRun locks them in: a run settling meanwhile holds its job, so
        // this waits for it and then finds the run no longer running, where locking every running row first
        // deadlocked with it. A replica recovering at the same time waits the same way and finds nothing to change.
        const candidates: { id: string; job_id: string }[] = await tx`SELECT id, job_id FROM cron_runs
          WHERE agent_id = ${agentId} AND status IN ('running', 'waiting_approval') ${ofJobs} ORDER BY seq`;
        let changed = 0;
        for (const candidate of candidates) {
          const job = await getJob(tx, candidate.job_id, true);
          const [row]: Row[] = await tx`SELECT * FROM cron_runs WHERE agent_id = ${agentId} AND id = ${candidate.id}
            AND status IN ('running', 'waiting_approval') FOR UPDATE`;
          if (!row) continue;
          const run = toRun(row);
          const changes = interrupt(run, job);
          if (!changes) continue;
          await updateRun(tx, run.id, changes.run);
          if (changes.job) await updateJob(tx, run.jobId, changes.job);
          changed += 1;
        }
        return changed;
      });
    },
  };
}
