// A cron run whose claim or row cannot be written (a full disk) is retried after a backoff, not at once in a loop.
import { describe, expect, it } from 'bun:test';
import { cronJobLock } from '../../../src/coordination';
import { createMemoryCoordinator } from '../../../src/coordination/memory/memory-coordinator';
import type { DepsOverrides } from '../../../src/deps';
import type { Timers } from '../../../src/scheduler';
import { silentLogger } from '../../../src/shared/logger';
import { startChatFixture } from '../../support/chat-fixture';
import { createJob, cronRuns, waitFor } from '../../support/scheduler-fixture';
import { type DiskSwitch, withFailingWrites } from '../../support/storage-fault-ports';

const SCHEDULER_WRITES = ['addRuns', 'settleRun', 'updateJob', 'insertJob', 'markRun'] as const;

/** A frozen clock the test moves, scheduler timers it fires by hand, and the `cron run crashed` log lines. */
function simulation() {
  const clock = { now: Date.now(), nowMs: () => clock.now };
  const armed = new Set<{ callback: () => void; atMs: number }>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      const entry = { callback, atMs: clock.now + ms };
      armed.add(entry);
      return entry;
    },
    clearTimeout: (handle) => void armed.delete(handle as { callback: () => void; atMs: number }),
  };
  const crashes: Record<string, unknown>[] = [];
  const logger = {
    ...silentLogger,
    error(message: string, fields?: Record<string, unknown>) {
      if (message === 'cron run crashed') crashes.push(fields ?? {});
    },
  };
  /** Moves the clock to the earliest armed timer and fires it; returns its time. */
  const fireNext = async () => {
    const next = await waitFor(() => [...armed].sort((a, b) => a.atMs - b.atMs)[0]);
    armed.delete(next);
    clock.now = Math.max(clock.now, next.atMs);
    next.callback();
    return next.atMs;
  };
  const overrides: DepsOverrides = { clock, logger, schedulerTimers: timers };
  return { clock, crashes, fireNext, overrides };
}

describe('cron on failing storage', () => {
  it('retries a run whose row cannot be written after 1 s doubling to a minute, and runs it once space returns', async () => {
    const sim = simulation();
    const disk: DiskSwitch = { full: false, refused: 0 };
    await using fixture = await startChatFixture({
      overrides: {
        ...sim.overrides,
        wrapAgentStorage: (storage) => ({
          ...storage,
          scheduler: withFailingWrites(storage.scheduler, SCHEDULER_WRITES, disk),
        }),
      },
    });
    const { server, model } = fixture;
    model.setFallback({ kind: 'text', text: 'news checked' });
    const job = await createJob(server, { schedule_type: 'every', schedule: '60' });
    disk.full = true;
    // Ten simulated minutes of a full disk: each timer the scheduler arms is fired at its time.
    const tries: number[] = [];
    const endMs = job.next_run_ts * 1000 + 600_000;
    while (sim.clock.now < endMs && tries.length < 100) {
      tries.push(await sim.fireNext());
      await waitFor(() => (sim.crashes.length === tries.length ? true : undefined));
    }
    const waits = tries.slice(1).map((atMs, index) => (atMs - tries[index]!) / 1000);
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
    // One log line a try, each naming the wait; no row could be written.
    expect(sim.crashes.map((line) => [line.attempt, line.retry_in_ms, line.recorded])).toEqual(
      waits.concat(60).map((wait, index) => [index + 1, wait * 1000, false]),
    );
    expect(await cronRuns(server)).toEqual([]);
    expect(model.chatRequests()).toHaveLength(0);

    // Space returns: the next try runs the job, and a later failure starts the backoff over at a second.
    disk.full = false;
    await sim.fireNext();
    const ok = await waitFor(async () => (await cronRuns(server)).find((row) => row.status === 'ok'));
    expect(ok).toEqual(
      expect.objectContaining({ job_id: job.id, trigger: 'scheduled', scheduled_ms: job.next_run_ts * 1000 }),
    );
    expect(model.chatRequests()).toHaveLength(1);
    disk.full = true;
    await sim.fireNext();
    await waitFor(() => (sim.crashes.length === tries.length + 1 ? true : undefined));
    expect(sim.crashes.at(-1)).toEqual(expect.objectContaining({ attempt: 1, retry_in_ms: 1000 }));
  });

  it('records a run whose claim failed as an error row, without counting it against the job, and retries it', async () => {
    const sim = simulation();
    let failClaim = true;
    const memory = createMemoryCoordinator(sim.clock);
    const coordinator = {
      ...memory,
      tryLock: async (name: string) => {
        if (name.startsWith(cronJobLock('default', '')) && failClaim) {
          failClaim = false;
          throw new Error('database is locked');
        }
        return memory.tryLock(name);
      },
    };
    await using fixture = await startChatFixture({ overrides: { ...sim.overrides, coordinator } });
    const { server, model } = fixture;
    model.setFallback({ kind: 'text', text: 'news checked' });
    const job = await createJob(server, { schedule_type: 'every', schedule: '60' });
    const dueMs = await sim.fireNext();
    const failed = await waitFor(async () => (await cronRuns(server)).find((row) => row.status === 'error'));
    expect(failed).toEqual(
      expect.objectContaining({
        job_id: job.id,
        trigger: 'scheduled',
        scheduled_ms: dueMs,
        error: 'database is locked',
      }),
    );
    expect(sim.crashes).toEqual([expect.objectContaining({ attempt: 1, retry_in_ms: 1000, recorded: true })]);
    const [stored] = (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs;
    expect(stored).toEqual(expect.objectContaining({ enabled: true, failure_count: 0, next_run_ts: job.next_run_ts }));
    expect(await sim.fireNext()).toBe(dueMs + 1000);
    const ok = await waitFor(async () => (await cronRuns(server)).find((row) => row.status === 'ok'));
    expect(ok.scheduled_ms).toBe(dueMs);
  });

  it('looks again after the backoff when the timer cannot read the due jobs, instead of stopping', async () => {
    const sim = simulation();
    const readFault: DiskSwitch = { full: false, refused: 0 };
    await using fixture = await startChatFixture({
      overrides: {
        ...sim.overrides,
        wrapAgentStorage: (storage) => ({
          ...storage,
          scheduler: withFailingWrites(storage.scheduler, ['upcoming'], readFault),
        }),
      },
    });
    const { server, model } = fixture;
    model.setFallback({ kind: 'text', text: 'news checked' });
    const job = await createJob(server, { schedule_type: 'every', schedule: '60' });
    readFault.full = true;
    const dueMs = await sim.fireNext();
    expect(await sim.fireNext()).toBe(dueMs + 1000);
    expect(readFault.refused).toBe(2);
    readFault.full = false;
    expect(await sim.fireNext()).toBe(dueMs + 3000);
    const ok = await waitFor(async () => (await cronRuns(server)).find((row) => row.status === 'ok'));
    expect(ok).toEqual(expect.objectContaining({ job_id: job.id, scheduled_ms: dueMs }));
  });
});
