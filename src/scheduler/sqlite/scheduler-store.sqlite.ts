// SQLite adapter of SchedulerStore: cron jobs and their run rows in the agent database; rows become camelCase objects here.
import type { Database } from 'bun:sqlite';
import { JOB_COLUMNS, RUN_COLUMNS } from '../scheduler-columns';
import type { CronJob, CronRun, CronRunStatus, SchedulerStore } from '../scheduler.port';

type Row = Record<string, unknown>;
type SqlValue = string | number | null;

function toSql(value: unknown): SqlValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value as SqlValue;
}

function toJob(row: Row): CronJob {
  const job = {} as Record<string, unknown>;
  for (const [key, column] of Object.entries(JOB_COLUMNS)) job[key] = row[column];
  job.enabled = row.enabled === 1;
  return job as unknown as CronJob;
}

function toRun(row: Row): CronRun {
  const run = {} as Record<string, unknown>;
  for (const [key, column] of Object.entries(RUN_COLUMNS)) run[key] = row[column];
  run.disabled = row.disabled === null ? null : row.disabled === 1;
  run.details = row.details ? JSON.parse(String(row.details)) : {};
  return run as unknown as CronRun;
}

function assignments<T extends object>(
  columns: Record<keyof T, string>,
  patch: Partial<T>,
): { sql: string; values: SqlValue[] } {
  const entries = Object.entries(patch).filter(([key]) => key in columns);
  return {
    sql: entries.map(([key]) => `${columns[key as keyof T]} = ?`).join(', '),
    values: entries.map(([, value]) => toSql(value)),
  };
}

/** Whether a stored run row has ended (a row not stored yet is still to be written). */
const isFinal = (row: Row | null) => row !== null && row.status !== 'running' && row.status !== 'waiting_approval';

export function createSqliteSchedulerStore(db: Database): SchedulerStore {
  const selectJob = db.query<Row, [string]>('SELECT * FROM cron_jobs WHERE id = ?');
  const selectRun = db.query<Row, [string]>('SELECT * FROM cron_runs WHERE id = ?');
  const getJob = (id: string) => {
    const row = selectJob.get(id);
    return row ? toJob(row) : null;
  };
  const updateJob = (id: string, patch: Partial<CronJob>) => {
    const { sql, values } = assignments(JOB_COLUMNS, patch);
    if (sql) db.query(`UPDATE cron_jobs SET ${sql} WHERE id = ?`).run(...values, id);
    return getJob(id);
  };
  const insertRun = (run: CronRun) => {
    const keys = Object.keys(RUN_COLUMNS) as (keyof CronRun)[];
    db.query(
      `INSERT INTO cron_runs (${keys.map((key) => RUN_COLUMNS[key]).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
    ).run(...keys.map((key) => toSql(run[key])));
  };
  const updateRun = (id: string, patch: Partial<CronRun>) => {
    const { sql, values } = assignments(RUN_COLUMNS, patch);
    if (sql) db.query(`UPDATE cron_runs SET ${sql} WHERE id = ?`).run(...values, id);
  };
  const pruneRuns = (status: CronRunStatus | 'not_error', keep: number) => {
    const filter = status === 'not_error' ? "status NOT IN ('error', 'running', 'waiting_approval')" : 'status = ?';
    const args: SqlValue[] = status === 'not_error' ? [] : [status];
    db.query(
      `DELETE FROM cron_runs WHERE ${filter} AND seq < (SELECT coalesce(min(seq), 0) FROM (SELECT seq FROM cron_runs WHERE ${filter} ORDER BY seq DESC LIMIT ?))`,
    ).run(...args, ...args, keep);
  };

  return {
    listJobs: async () => db.query<Row, []>('SELECT * FROM cron_jobs ORDER BY created_ms, rowid').all().map(toJob),
    getJob: async (id) => getJob(id),
    async insertJob(job) {
      const keys = Object.keys(JOB_COLUMNS) as (keyof CronJob)[];
      db.query(
        `INSERT INTO cron_jobs (${keys.map((key) => JOB_COLUMNS[key]).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
      ).run(...keys.map((key) => toSql(job[key])));
    },
    updateJob: async (id, patch) => updateJob(id, patch),
    deleteJob: async (id) => db.query('DELETE FROM cron_jobs WHERE id = ?').run(id).changes > 0,
    upcoming: async (limit) =>
      db
        .query<{ id: string; next_run_ms: number }, [number]>(
          'SELECT id, next_run_ms FROM cron_jobs WHERE enabled = 1 AND next_run_ms IS NOT NULL ORDER BY next_run_ms LIMIT ?',
        )
        .all(limit)
        .map((row) => ({ id: row.id, nextRunMs: row.next_run_ms })),
    async addRuns(runs, jobId, changes, scheduled) {
      db.transaction(() => {
        for (const run of runs) insertRun(run);
        if (changes) updateJob(jobId, changes);
        if (scheduled && getJob(jobId)?.scheduleRev === scheduled.scheduleRev) updateJob(jobId, scheduled.changes);
      })();
    },
    async settleRun(jobId, settle) {
      return db.transaction(() => {
        const current = getJob(jobId);
        const settlement = settle(current);
        if (isFinal(selectRun.get(settlement.run.id))) return null;
        updateRun(settlement.run.id, settlement.run);
        if (current && settlement.job) updateJob(jobId, settlement.job);
        if (settlement.prune) pruneRuns(settlement.prune.status, settlement.prune.keep);
        return settlement.run;
      })();
    },
    async markRun(id, status, runId) {
      return (
        db
          .query(
            "UPDATE cron_runs SET status = ?, run_id = ? WHERE id = ? AND status IN ('running', 'waiting_approval')",
          )
          .run(status, runId, id).changes > 0
      );
    },
    async getRun(id) {
      const row = selectRun.get(id);
      return row ? toRun(row) : null;
    },
    async listRuns(limit, statuses) {
      const filter = statuses ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
      return db
        .query<Row, SqlValue[]>(`SELECT * FROM cron_runs ${filter} ORDER BY seq DESC LIMIT ?`)
        .all(...(statuses ?? []), limit)
        .map(toRun);
    },
    async interruptRunning(interrupt, jobIds) {
      const running = db
        .query<Row, []>("SELECT * FROM cron_runs WHERE status IN ('running', 'waiting_approval') ORDER BY seq")
        .all()
        .map(toRun)
        .filter((run) => !jobIds || jobIds.has(run.jobId));
      let changed = 0;
      db.transaction(() => {
        for (const run of running) {
          const changes = interrupt(run, getJob(run.jobId));
          if (!changes) continue;
          updateRun(run.id, changes.run);
          if (changes.job) updateJob(run.jobId, changes.job);
          changed += 1;
        }
      })();
      return changed;
    },
  };
}
