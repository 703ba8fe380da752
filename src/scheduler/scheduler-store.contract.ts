// The behaviour every SchedulerStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import { newJob } from './cron-job-editor';
import { runRow } from './run-row';
import type { CronJob, CronRun, SchedulerStore } from './scheduler.port';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const job = (id: string, createdMs = T0, values: Partial<CronJob> = {}): CronJob => ({
  ...newJob({ name: id, scheduleType: 'every', schedule: '60', prompt: `prompt ${id}` }, id, 'UTC', createdMs),
  ...values,
});

const run = (id: string, jobId: string, values: Partial<CronRun> = {}): CronRun =>
  runRow({
    id,
    jobId,
    name: jobId,
    status: 'running',
    trigger: 'scheduled',
    timestampMs: T0,
    scheduledMs: T0,
    startedMs: T0,
    scheduleLagMs: 0,
    sessionId: `__cron__:${jobId}`,
    ...values,
  });

/** The suite's job and running-row builders, for an adapter's own tests beside the contract. */
export { job as contractJob, run as contractRun };

export function describeSchedulerStoreContract(
  adapter: string,
  make: () => { store: SchedulerStore; close(): void },
): void {
  const withStore = (test: (store: SchedulerStore) => Promise<void>) => async () => {
    const { store, close } = make();
    try {
      await test(store);
    } finally {
      close();
    }
  };

  describe(`SchedulerStore contract (${adapter}): jobs`, () => {
    it(
      'keeps every field of a job, lists oldest first, updates only what is given, deletes',
      withStore(async (store) => {
        const second = job('b', T0 + 1000, {
          timezone: 'Europe/Berlin',
          catchUp: 'run_once',
          enabled: false,
          nextRunMs: null,
        });
        await store.insertJob(second);
        await store.insertJob(job('a'));
        expect((await store.listJobs()).map((entry) => entry.id)).toEqual(['a', 'b']);
        expect(await store.getJob('b')).toEqual(second);
        expect(await store.getJob('none')).toBeNull();
        const updated = await store.updateJob('b', {
          enabled: true,
          nextRunMs: T0 + 60_000,
          lastError: 'x',
          scheduleRev: 3,
        });
        expect(updated).toEqual({ ...second, enabled: true, nextRunMs: T0 + 60_000, lastError: 'x', scheduleRev: 3 });
        expect(await store.updateJob('none', { enabled: false })).toBeNull();
        expect(await store.deleteJob('a')).toBe(true);
        expect(await store.deleteJob('a')).toBe(false);
        expect((await store.listJobs()).map((entry) => entry.id)).toEqual(['b']);
      }),
    );

    it(
      'lists enabled jobs with a next run, earliest first, at most `limit`',
      withStore(async (store) => {
        await store.insertJob(job('late', T0, { nextRunMs: T0 + 300 }));
        await store.insertJob(job('early', T0, { nextRunMs: T0 + 100 }));
        await store.insertJob(job('off', T0, { nextRunMs: T0 + 50, enabled: false }));
        await store.insertJob(job('none', T0, { nextRunMs: null }));
        await store.insertJob(job('middle', T0, { nextRunMs: T0 + 200 }));
        expect(await store.upcoming(10)).toEqual([
          { id: 'early', nextRunMs: T0 + 100 },
          { id: 'middle', nextRunMs: T0 + 200 },
          { id: 'late', nextRunMs: T0 + 300 },
        ]);
        expect((await store.upcoming(1)).map((entry) => entry.id)).toEqual(['early']);
      }),
    );
  });

  describe(`SchedulerStore contract (${adapter}): runs`, () => {
    it(
      'stores runs with the job change at once, lists newest first, narrows by status',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        const missed = run('m', 'j', { status: 'missed', details: { reason: 'not_running', further_missed_slots: 3 } });
        await store.addRuns([missed, run('r', 'j')], 'j', { lastRunMs: T0, nextRunMs: T0 + 60_000 });
        expect(await store.getJob('j')).toEqual(expect.objectContaining({ lastRunMs: T0, nextRunMs: T0 + 60_000 }));
        expect((await store.listRuns(10)).map((row) => row.id)).toEqual(['r', 'm']);
        expect(await store.listRuns(10, ['missed'])).toEqual([missed]);
        expect((await store.listRuns(1)).map((row) => row.id)).toEqual(['r']);
        expect(await store.getRun('m')).toEqual(missed);
        expect(await store.getRun('none')).toBeNull();
        await store.addRuns([run('orphan', 'gone')], 'gone', { lastRunMs: T0 });
        expect(await store.getJob('gone')).toBeNull();
        expect((await store.getRun('orphan'))!.jobId).toBe('gone');
      }),
    );

    it(
      "moves a job to its next run with a run's row only while its schedule is the one the caller read",
      withStore(async (store) => {
        await store.insertJob(job('j'));
        const read = (await store.getJob('j'))!;
        // Not edited since: the run's row, its last run and its next run together.
        await store.addRuns(
          [run('r1', 'j')],
          'j',
          { lastRunMs: T0 },
          { scheduleRev: read.scheduleRev, changes: { nextRunMs: T0 + 60_000 } },
        );
        expect(await store.getJob('j')).toEqual(expect.objectContaining({ lastRunMs: T0, nextRunMs: T0 + 60_000 }));
        // Edited between the read and the run's write (a new schedule, its own next run): the edit's next run stays.
        await store.updateJob('j', { nextRunMs: T0 + 7_200_000, scheduleRev: read.scheduleRev + 1 });
        await store.addRuns(
          [run('r2', 'j')],
          'j',
          { lastRunMs: T0 + 60_000 },
          { scheduleRev: read.scheduleRev, changes: { nextRunMs: T0 + 120_000 } },
        );
        expect(await store.getJob('j')).toEqual(
          expect.objectContaining({
            lastRunMs: T0 + 60_000,
            nextRunMs: T0 + 7_200_000,
            scheduleRev: read.scheduleRev + 1,
          }),
        );
        expect((await store.listRuns(10)).map((row) => row.id)).toEqual(['r2', 'r1']);
      }),
    );

    it(
      'settles a run from the job as it is then, writes both, and keeps only the newest rows of the status',
      withStore(async (store) => {
        await store.insertJob(job('j', T0, { failureCount: 2 }));
        for (const id of ['e1', 'e2', 'e3']) await store.addRuns([run(id, 'j', { status: 'error' })], 'j', null);
        await store.addRuns([run('now', 'j')], 'j', null);
        const seen: (CronJob | null)[] = [];
        const written = await store.settleRun('j', (current) => {
          seen.push(current);
          const failureCount = current!.failureCount + 1;
          return {
            run: run('now', 'j', { status: 'error', error: 'boom', failureCount, disabled: true }),
            job: { failureCount, enabled: false },
            prune: { status: 'error', keep: 2 },
          };
        });
        expect(seen.map((current) => current?.failureCount)).toEqual([2]);
        expect(written).toEqual(run('now', 'j', { status: 'error', error: 'boom', failureCount: 3, disabled: true }));
        expect(await store.getRun('now')).toEqual(written);
        expect(await store.getJob('j')).toEqual(expect.objectContaining({ failureCount: 3, enabled: false }));
        expect((await store.listRuns(10, ['error'])).map((row) => row.id)).toEqual(['now', 'e3']);
      }),
    );

    it(
      'settles a run of a deleted job with null, writing the row alone',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        await store.addRuns([run('r', 'j')], 'j', null);
        await store.deleteJob('j');
        const written = await store.settleRun('j', (current) => ({
          run: run('r', 'j', { status: 'ok', runId: current === null ? 'no job' : 'job' }),
          job: null,
          prune: null,
        }));
        expect(written?.runId).toBe('no job');
        expect((await store.getRun('r'))!.status).toBe('ok');
      }),
    );

    it(
      'settles only a row still in progress: one that has ended keeps its end, and its job is not changed',
      withStore(async (store) => {
        await store.insertJob(job('j', T0, { failureCount: 1 }));
        await store.addRuns([run('stopped', 'j')], 'j', null);
        await store.interruptRunning(() => ({ run: { status: 'interrupted' }, job: null }));
        const written = await store.settleRun('j', () => ({
          run: run('stopped', 'j', { status: 'error', error: 'late' }),
          job: { failureCount: 2 },
          prune: null,
        }));
        expect(written).toBeNull();
        expect(await store.getRun('stopped')).toEqual(run('stopped', 'j', { status: 'interrupted' }));
        expect((await store.getJob('j'))!.failureCount).toBe(1);
      }),
    );

    it(
      'keeps only the newest rows other than failures and running ones when pruning `not_error`',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        await store.addRuns(
          [
            run('old', 'j', { status: 'ok' }),
            run('fail', 'j', { status: 'error' }),
            run('live', 'j'),
            run('mid', 'j', { status: 'missed' }),
          ],
          'j',
          null,
        );
        await store.addRuns([run('new', 'j')], 'j', null);
        await store.settleRun('j', () => ({
          run: run('new', 'j', { status: 'ok' }),
          job: null,
          prune: { status: 'not_error', keep: 2 },
        }));
        expect((await store.listRuns(10)).map((row) => row.id)).toEqual(['new', 'mid', 'live', 'fail']);
      }),
    );

    it(
      'changes every running row, and its job, in one pass; none left after',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        await store.addRuns(
          [run('a', 'j'), run('done', 'j', { status: 'ok' }), run('b', 'gone', { trigger: 'manual' })],
          'j',
          null,
        );
        const calls: [string, string | null][] = [];
        const count = await store.interruptRunning((row, current) => {
          calls.push([row.id, current?.id ?? null]);
          return {
            run: { status: 'interrupted', details: { ...row.details, at: 1 } },
            job: current ? { nextRunMs: T0 } : null,
          };
        });
        expect(count).toBe(2);
        expect(calls).toEqual([
          ['a', 'j'],
          ['b', null],
        ]);
        expect((await store.listRuns(10, ['interrupted'])).map((row) => [row.id, row.details])).toEqual([
          ['b', { at: 1 }],
          ['a', { at: 1 }],
        ]);
        expect((await store.getJob('j'))!.nextRunMs).toBe(T0);
        expect(await store.interruptRunning(() => ({ run: {}, job: null }))).toBe(0);
      }),
    );

    it(
      'leaves a running row alone when asked to (its run is alive elsewhere), counting only the rows changed',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        await store.addRuns([run('alive', 'j'), run('dead', 'other')], 'j', null);
        const count = await store.interruptRunning((row) =>
          row.jobId === 'j' ? null : { run: { status: 'interrupted' }, job: null },
        );
        expect(count).toBe(1);
        expect((await store.listRuns(10, ['running'])).map((row) => row.id)).toEqual(['alive']);
        expect((await store.getRun('dead'))!.status).toBe('interrupted');
      }),
    );

    it(
      'with job ids, reads only the rows of those jobs: the others are not even offered',
      withStore(async (store) => {
        for (const id of ['stopped', 'alive']) await store.insertJob(job(id));
        await store.addRuns([run('s', 'stopped'), run('a', 'alive'), run('g', 'gone')], 'stopped', null);
        const offered: string[] = [];
        const interrupt = (row: CronRun) => {
          offered.push(row.id);
          return { run: { status: 'interrupted' as const }, job: null };
        };
        expect(await store.interruptRunning(interrupt, new Set())).toBe(0);
        expect(await store.interruptRunning(interrupt, new Set(['stopped', 'gone']))).toBe(2);
        expect(offered).toEqual(['s', 'g']);
        expect((await store.listRuns(10, ['running'])).map((row) => row.id)).toEqual(['a']);
      }),
    );

    it(
      'marks a row in progress waiting for an approval and back, never a final one; waiting rows count as in progress',
      withStore(async (store) => {
        await store.insertJob(job('j'));
        await store.addRuns([run('w', 'j'), run('done', 'j', { status: 'ok' })], 'j', null);
        expect(await store.markRun('w', 'waiting_approval', 'run-1')).toBe(true);
        expect(await store.getRun('w')).toMatchObject({ status: 'waiting_approval', runId: 'run-1' });
        expect(await store.markRun('done', 'waiting_approval', 'run-2')).toBe(false);
        expect(await store.markRun('none', 'running', 'run-3')).toBe(false);
        expect((await store.getRun('done'))!.status).toBe('ok');
        await store.addRuns([run('new', 'j')], 'j', null);
        await store.settleRun('j', () => ({
          run: run('new', 'j', { status: 'ok' }),
          job: null,
          prune: { status: 'not_error', keep: 1 },
        }));
        expect((await store.listRuns(10)).map((row) => row.id)).toEqual(['new', 'w']);
        const seen: string[] = [];
        await store.interruptRunning((row) => {
          seen.push(`${row.id}:${row.status}`);
          return { run: { status: 'interrupted' }, job: null };
        });
        expect(seen).toEqual(['w:waiting_approval']);
        expect(await store.markRun('w', 'running', 'run-1')).toBe(false);
      }),
    );
  });
}
