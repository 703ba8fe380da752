// Slots that passed while nothing was watching (server down, cron disabled): recorded as `missed`, caught up per policy.
import type { RuntimeConfig } from '../config';
import type { Lock } from '../coordination';
import { nextTurn } from '../shared/event-loop';
import { jobSchedule } from './cron-job-editor';
import { cronSessionId } from './scheduled-turn';
import { nextRunAfter, type Schedule } from './schedules';
import { runRow } from './run-row';
import type { CronJob, SchedulerStore } from './scheduler.port';

/** Missed rows written for one job at most; the last row counts any further slots. */
export const MAX_MISSED_ROWS = 100;
/**
 * Slots of a cron expression counted one by one past the rows (no arithmetic gives them; each step is ~40 µs, so
 * 100,000 held the thread 4 s). Past it the row says the count is a lower bound.
 */
export const MAX_COUNTED_SLOTS = 10_000;
const STEPS_PER_SLICE = 500;

export interface MissedSlotsInput {
  store: SchedulerStore;
  job: CronJob;
  config: RuntimeConfig['cron'];
  nowMs: number;
  newId: () => string;
  /** Called when the stored schedule no longer parses. */
  onInvalid(error: unknown): void | Promise<void>;
}

/**
 * Whether one-shot `job` (due at `instantMs`) owes a rerun: a run of its present schedule started (a started
 * one-shot has no next run), and a next run was set since, off its instant: a stop cut the run short
 * (interrupted-runs.ts) or it failed and waits out a backoff. Not a slot the schedule gave, so it runs now whatever
 * the policy, as a run the start-up sweep finds cut does. A first run off the instant (a past `at` runs at its
 * creation, reschedule or enabling) or a zone read anew is a slot like any other.
 */
function owesRerun(job: CronJob, instantMs: number): job is CronJob & { nextRunMs: number } {
  if (job.nextRunMs === null || job.nextRunMs === instantMs) return false;
  return job.lastRunMs !== null && job.lastRunMs >= job.anchorMs;
}

/**
 * Records each slot of `job` from its stored next run up to `nowMs` as a `missed` run and moves the
 * job on. With `catch_up: skip` every such slot is missed and the job waits for its next future slot
 * (a one-shot `at` job is then disabled). With `run_once` the latest slot is returned to run now and
 * only the earlier ones are recorded missed. Returns the slot to run, or null.
 */
export async function recordMissedSlots({
  store,
  job,
  config,
  nowMs,
  newId,
  onInvalid,
}: MissedSlotsInput): Promise<number | null> {
  let schedule: Schedule;
  try {
    schedule = jobSchedule(job, config.timezone);
  } catch (error) {
    await onInvalid(error);
    return null;
  }
  if (schedule.type === 'at' && owesRerun(job, schedule.instantMs)) return job.nextRunMs;
  const slots: number[] = [];
  let more = 0;
  let countStopped = false;
  let slot: number | null = job.nextRunMs;
  for (let steps = 1; slot !== null && slot <= nowMs; steps++) {
    if (slots.length < MAX_MISSED_ROWS + 1) slots.push(slot);
    else if (schedule.type === 'every') {
      // Count the rest of an interval grid arithmetically instead of walking it.
      more += Math.floor((nowMs - slot) / schedule.intervalMs) + 1;
      break;
    } else more += 1;
    if (more >= MAX_COUNTED_SLOTS) {
      countStopped = true;
      break;
    }
    slot = schedule.type === 'at' ? null : nextRunAfter(schedule, slot, job.anchorMs);
    // Each step is ~40-85 µs, and a wake may catch up many jobs: other work gets the thread between slices.
    if (steps % STEPS_PER_SLICE === 0) await nextTurn();
  }
  const runNow = job.catchUp === 'run_once' ? slots.pop()! : null;
  const missed = slots.slice(0, MAX_MISSED_ROWS);
  more += slots.length - missed.length;
  const rows = missed.map((scheduledMs, index) => {
    const details: Record<string, unknown> = { reason: 'not_running', catch_up: job.catchUp };
    if (index === missed.length - 1 && more > 0) {
      details.further_missed_slots = more;
      if (countStopped) details.further_missed_slots_at_least = true;
    }
    const fields = {
      id: newId(),
      jobId: job.id,
      name: job.name,
      status: 'missed',
      trigger: 'scheduled',
      timestampMs: nowMs,
    } as const;
    return runRow({
      ...fields,
      scheduledMs,
      scheduleLagMs: nowMs - scheduledMs,
      sessionId: cronSessionId(job.id),
      details,
    });
  });
  let changes: Partial<CronJob> | null = null;
  if (runNow === null) {
    const next = schedule.type === 'at' ? null : nextRunAfter(schedule, nowMs, job.anchorMs);
    changes =
      next === null ? { nextRunMs: null, enabled: false, scheduleRev: job.scheduleRev + 1 } : { nextRunMs: next };
  }
  // The move is the read schedule's: a schedule edited since (another replica, a request) keeps its own next run.
  await store.addRuns(rows, job.id, null, changes ? { scheduleRev: job.scheduleRev, changes } : undefined);
  return runNow;
}

export interface ClaimedCatchUp extends Omit<MissedSlotsInput, 'job' | 'onInvalid'> {
  jobId: string;
  /** A next run before this was missed (nothing watched when it was due). */
  missedBeforeMs: number;
  /** Takes the job's run claim, or null while another holder has it. */
  claim(): Promise<Lock | null>;
  /** The claim was held elsewhere: nothing was recorded. */
  onClaimedElsewhere(): void;
  /** Called when the stored schedule of `job` no longer parses. */
  onInvalid(job: CronJob, error: unknown): void | Promise<void>;
}

/**
 * Records the slots job `jobId` missed while nothing watched, under its claim and from the job as it is
 * then, so replicas starting together record each slot once (see `recordMissedSlots`). Returns the slot to run
 * now, or null.
 */
export async function catchUpMissed(input: ClaimedCatchUp): Promise<number | null> {
  const claim = await input.claim();
  if (!claim) {
    input.onClaimedElsewhere();
    return null;
  }
  try {
    const job = await input.store.getJob(input.jobId);
    if (!job || job.nextRunMs === null || job.nextRunMs >= input.missedBeforeMs) return null;
    return await recordMissedSlots({ ...input, job, onInvalid: (error) => input.onInvalid(job, error) });
  } finally {
    await claim.release();
  }
}
