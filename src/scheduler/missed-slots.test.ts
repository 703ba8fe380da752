import { describe, expect, it } from 'bun:test';
import { defaultRuntimeConfig } from '../config';
import { AGENT_DB_MIGRATIONS } from '../db/agent-db.schema';
import { openDatabase } from '../db/open-database';
import { newJob } from './cron-job-editor';
import { recoverInterruptedRuns } from './interrupted-runs';
import { MAX_COUNTED_SLOTS, MAX_MISSED_ROWS, recordMissedSlots } from './missed-slots';
import type { CronJob } from './scheduler.port';
import { createSqliteSchedulerStore } from './sqlite/scheduler-store.sqlite';

const MINUTE = 60_000;
const CREATED = Date.parse('2026-01-01T00:00:00Z');
const config = defaultRuntimeConfig().cron;
let ids = 0;
const newId = () => `id-${++ids}`;

async function setup(job: Partial<CronJob>) {
  const db = openDatabase(':memory:', AGENT_DB_MIGRATIONS);
  const store = createSqliteSchedulerStore(db);
  const created = newJob(
    { scheduleType: job.scheduleType ?? 'every', schedule: job.schedule ?? '60', prompt: 'p' },
    'job',
    'UTC',
    CREATED,
  );
  await store.insertJob({ ...created, ...job });
  return { db, store };
}

const onInvalid = (error: unknown) => {
  throw error;
};

describe('recordMissedSlots', () => {
  it('with skip records every passed slot as missed and waits for the next future slot', async () => {
    const { store } = await setup({ catchUp: 'skip' });
    const now = CREATED + 3 * MINUTE + 20_000;
    const toRun = await recordMissedSlots({
      store,
      job: (await store.getJob('job'))!,
      config,
      nowMs: now,
      newId,
      onInvalid,
    });
    expect(toRun).toBeNull();
    const missed = (await store.listRuns(10)).reverse();
    expect(missed.map((run) => [run.status, run.scheduledMs! - CREATED])).toEqual([
      ['missed', MINUTE],
      ['missed', 2 * MINUTE],
      ['missed', 3 * MINUTE],
    ]);
    expect(missed[0]!.scheduleLagMs).toBe(now - CREATED - MINUTE);
    expect((await store.getJob('job'))!.nextRunMs).toBe(CREATED + 4 * MINUTE);
  });

  it('records the slots but keeps a schedule edited after the job was read, with its own next run', async () => {
    for (const scheduleType of ['every', 'at'] as const) {
      const schedule = scheduleType === 'every' ? '60' : new Date(CREATED + MINUTE).toISOString();
      const { store } = await setup({ scheduleType, schedule, catchUp: 'skip' });
      const read = (await store.getJob('job'))!;
      const edited = { schedule: '3600', scheduleType: 'every', nextRunMs: CREATED + 90 * MINUTE } as const;
      await store.updateJob('job', { ...edited, enabled: true, scheduleRev: read.scheduleRev + 1 });
      const now = CREATED + 3 * MINUTE;
      await recordMissedSlots({ store, job: read, config, nowMs: now, newId, onInvalid });
      expect((await store.listRuns(10)).length).toBeGreaterThan(0);
      expect(await store.getJob('job')).toMatchObject({ ...edited, enabled: true, scheduleRev: read.scheduleRev + 1 });
    }
  });

  it('with run_once records the earlier slots and hands back the latest one to run now', async () => {
    const { store } = await setup({ catchUp: 'run_once' });
    const now = CREATED + 3 * MINUTE + 20_000;
    const toRun = await recordMissedSlots({
      store,
      job: (await store.getJob('job'))!,
      config,
      nowMs: now,
      newId,
      onInvalid,
    });
    expect(toRun).toBe(CREATED + 3 * MINUTE);
    expect((await store.listRuns(10)).map((run) => run.scheduledMs! - CREATED)).toEqual([2 * MINUTE, MINUTE]);
  });

  it('disables a one-shot job whose time passed with skip, and runs it with run_once', async () => {
    const skipped = await setup({ scheduleType: 'at', schedule: '2026-01-01T00:05:00Z', catchUp: 'skip' });
    const at = Date.parse('2026-01-01T00:05:00Z');
    expect(
      await recordMissedSlots({
        store: skipped.store,
        job: (await skipped.store.getJob('job'))!,
        config,
        nowMs: at + MINUTE,
        newId,
        onInvalid,
      }),
    ).toBeNull();
    expect(await skipped.store.getJob('job')).toEqual(expect.objectContaining({ enabled: false, nextRunMs: null }));
    expect((await skipped.store.listRuns(10)).map((run) => run.status)).toEqual(['missed']);
    const caught = await setup({ scheduleType: 'at', schedule: '2026-01-01T00:05:00Z', catchUp: 'run_once' });
    expect(
      await recordMissedSlots({
        store: caught.store,
        job: (await caught.store.getJob('job'))!,
        config,
        nowMs: at + MINUTE,
        newId,
        onInvalid,
      }),
    ).toBe(at);
    expect(await caught.store.listRuns(10)).toEqual([]);
  });

  it('runs at once, with skip, a one-shot owed a rerun: its run was cut by a stop or failed and waits out a backoff', async () => {
    const at = CREATED + 5 * MINUTE;
    const rerunMs = at + 10 * MINUTE;
    const { store } = await setup({ scheduleType: 'at', schedule: new Date(at).toISOString(), catchUp: 'skip' });
    await store.updateJob('job', { lastRunMs: at, nextRunMs: rerunMs });
    const job = (await store.getJob('job'))!;
    expect(await recordMissedSlots({ store, job, config, nowMs: CREATED + 60 * MINUTE, newId, onInvalid })).toBe(
      rerunMs,
    );
    expect(await store.listRuns(10)).toEqual([]);
  });

  it('records missed, with skip, a one-shot whose time had passed when it was made (its first run was then)', async () => {
    // newJob gives a past `at` its creation time as first run (firstRun): a slot the schedule gave, not a rerun owed.
    const { store } = await setup({ scheduleType: 'at', schedule: '2025-12-31T23:00:00Z', catchUp: 'skip' });
    const job = (await store.getJob('job'))!;
    expect(job.nextRunMs).toBe(CREATED);
    const toRun = await recordMissedSlots({ store, job, config, nowMs: CREATED + 60 * MINUTE, newId, onInvalid });
    expect(toRun).toBeNull();
    expect(await store.getJob('job')).toEqual(expect.objectContaining({ enabled: false, nextRunMs: null }));
    expect((await store.listRuns(10)).map((run) => run.status)).toEqual(['missed']);
  });

  it('records missed, with skip, a one-shot read in another zone than it was made in', async () => {
    // `at` without an offset is read in cron.timezone: changed while the server was down, the instant moves.
    const { store } = await setup({ scheduleType: 'at', schedule: '2026-01-01T00:05:00', catchUp: 'skip' });
    const job = (await store.getJob('job'))!;
    const berlin = { ...config, timezone: 'Europe/Berlin' };
    const toRun = await recordMissedSlots({
      store,
      job,
      config: berlin,
      nowMs: CREATED + 60 * MINUTE,
      newId,
      onInvalid,
    });
    expect(toRun).toBeNull();
    expect((await store.listRuns(10)).map((run) => run.status)).toEqual(['missed']);
  });

  it('bounds the rows of a long outage and counts the rest', async () => {
    const { store } = await setup({ schedule: '5', catchUp: 'skip' });
    const now = CREATED + 30 * 86_400_000;
    await recordMissedSlots({ store, job: (await store.getJob('job'))!, config, nowMs: now, newId, onInvalid });
    const rows = await store.listRuns(1000);
    expect(rows).toHaveLength(MAX_MISSED_ROWS);
    expect(MAX_MISSED_ROWS + Number(rows[0]!.details.further_missed_slots)).toBe((30 * 86_400) / 5);
    expect((await store.getJob('job'))!.nextRunMs).toBe(now + 5000);
  });

  it('stops counting the slots of a cron expression at MAX_COUNTED_SLOTS and says the count is a lower bound', async () => {
    const { store } = await setup({ scheduleType: 'cron', schedule: '* * * * * *', catchUp: 'skip' });
    const now = CREATED + 86_400_000;
    let ticks = 0;
    const ticking = setInterval(() => ticks++, 0);
    await recordMissedSlots({ store, job: (await store.getJob('job'))!, config, nowMs: now, newId, onInvalid });
    clearInterval(ticking);
    // The walk gave the thread back between slices: a timer ran meanwhile.
    expect(ticks).toBeGreaterThan(0);
    const [last] = await store.listRuns(1);
    expect(last!.details.further_missed_slots_at_least).toBe(true);
    // The row kept beyond the hundred, and the slots counted after it.
    expect(last!.details.further_missed_slots).toBe(MAX_COUNTED_SLOTS + 1);
    expect((await store.getJob('job'))!.nextRunMs).toBe(now + 1000);
  });
});

describe('recoverInterruptedRuns', () => {
  it('marks running rows interrupted and re-arms a one-shot job whose only run was cut off', async () => {
    const { store } = await setup({ scheduleType: 'at', schedule: '2026-01-01T00:05:00Z', nextRunMs: null });
    await store.addRuns(
      [
        {
          id: 'run-1',
          jobId: 'job',
          name: 'cron-job',
          status: 'running',
          trigger: 'scheduled',
          timestampMs: CREATED,
          scheduledMs: CREATED,
          startedMs: CREATED,
          finishedMs: null,
          scheduleLagMs: 0,
          durationMs: null,
          runId: null,
          sessionId: null,
          responsePreview: null,
          error: null,
          failureCount: null,
          nextRunMs: null,
          disabled: null,
          details: {},
        },
      ],
      'job',
      null,
    );
    const now = CREATED + MINUTE;
    expect(await recoverInterruptedRuns(store, now)).toBe(1);
    expect(await store.getRun('run-1')).toEqual(expect.objectContaining({ status: 'interrupted', timestampMs: now }));
    expect((await store.getJob('job'))!.nextRunMs).toBe(now);
    expect((await store.getJob('job'))!.failureCount).toBe(0);
    expect(await recoverInterruptedRuns(store, now)).toBe(0);
  });
});
