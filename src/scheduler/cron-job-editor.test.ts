import { describe, expect, it } from 'bun:test';
import { AppError } from '../shared/app-error';
import { jobChanges, newJob, rezonedChanges } from './cron-job-editor';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const base = () =>
  newJob({ name: ' Report ', scheduleType: 'every', schedule: '60', prompt: ' Do it ' }, 'job-1', 'UTC', T0);

describe('newJob', () => {
  it('trims, names a blank job, and starts an every schedule one interval after creation', () => {
    expect(base()).toEqual(
      expect.objectContaining({
        name: 'Report',
        prompt: 'Do it',
        enabled: true,
        catchUp: 'skip',
        anchorMs: T0,
        nextRunMs: T0 + 60_000,
        timezone: null,
      }),
    );
    expect(
      newJob({ name: '  ', scheduleType: 'every', schedule: '60', prompt: 'p', enabled: false }, 'j', 'UTC', T0),
    ).toEqual(expect.objectContaining({ name: 'cron-job', enabled: false, nextRunMs: null }));
  });
});

describe('jobChanges', () => {
  it('keeps name and prompt when blank and leaves the schedule alone for other edits', () => {
    const changes = jobChanges(base(), { name: '  ', prompt: '', catchUp: 'run_once' }, 'UTC', T0 + 90_000);
    expect(changes).toEqual({ updatedMs: T0 + 90_000, catchUp: 'run_once' });
  });

  it('re-anchors a changed schedule at the edit and bumps the revision', () => {
    const changes = jobChanges(base(), { schedule: '300' }, 'UTC', T0 + 90_000);
    expect(changes).toEqual(
      expect.objectContaining({ schedule: '300', anchorMs: T0 + 90_000, nextRunMs: T0 + 390_000, scheduleRev: 1 }),
    );
  });

  it('re-enabling an every job returns to its original grid and clears the failure streak', () => {
    const disabled = { ...base(), enabled: false, nextRunMs: null, failureCount: 8, lastError: 'boom' };
    const changes = jobChanges(disabled, { enabled: true }, 'UTC', T0 + 150_000);
    expect(changes).toEqual(
      expect.objectContaining({
        enabled: true,
        nextRunMs: T0 + 180_000,
        failureCount: 0,
        lastError: '',
        scheduleRev: 1,
      }),
    );
  });

  it('re-reads the schedule in a new zone and refuses an unknown one', () => {
    const cron = newJob({ scheduleType: 'cron', schedule: '0 9 * * *', prompt: 'p' }, 'j', 'UTC', T0);
    expect(cron.nextRunMs).toBe(Date.parse('2026-01-01T09:00:00Z'));
    expect(jobChanges(cron, { timezone: 'Asia/Tokyo' }, 'UTC', T0).nextRunMs).toBe(Date.parse('2026-01-02T00:00:00Z'));
    expect(() => jobChanges(cron, { timezone: 'Nowhere/Land' }, 'UTC', T0)).toThrow(AppError);
  });

  it('leaves a one-shot job that fired (enabled, no next run: running now) unarmed by an edit that does not reschedule it', () => {
    const at = newJob({ scheduleType: 'at', schedule: '2026-01-01T00:01:00Z', prompt: 'p' }, 'j', 'UTC', T0);
    const firing = { ...at, nextRunMs: null };
    for (const patch of [{ prompt: 'edited' }, { name: 'renamed' }, { enabled: true }])
      expect(jobChanges(firing, patch, 'UTC', T0 + 90_000)).not.toHaveProperty('nextRunMs');
    expect(jobChanges(firing, { prompt: 'edited' }, 'UTC', T0 + 90_000)).not.toHaveProperty('scheduleRev');
    // Rescheduled, or enabled again after it was disabled, it is armed as before.
    expect(jobChanges(firing, { schedule: '2026-01-01T00:05:00Z' }, 'UTC', T0 + 90_000).nextRunMs).toBe(T0 + 300_000);
    const done = { ...at, enabled: false, nextRunMs: null };
    expect(jobChanges(done, { enabled: true }, 'UTC', T0 + 90_000).nextRunMs).toBe(T0 + 90_000);
  });

  it('moves a zone-less job to the new zone, but not one retrying after a failure or already due', () => {
    const cron = newJob({ scheduleType: 'cron', schedule: '0 9 * * *', prompt: 'p' }, 'j', 'UTC', T0);
    const tokyo = Date.parse('2026-01-02T00:00:00Z');
    expect(rezonedChanges(cron, 'UTC', 'Asia/Tokyo', T0)?.nextRunMs).toBe(tokyo);
    // A failure in the past (a manual run, say) does not keep a job on its regular slot from moving.
    expect(rezonedChanges({ ...cron, failureCount: 2 }, 'UTC', 'Asia/Tokyo', T0)?.nextRunMs).toBe(tokyo);
    expect(rezonedChanges({ ...cron, timezone: 'Europe/Paris' }, 'UTC', 'Asia/Tokyo', T0)).toBeNull();
    // A retry after its backoff is off the schedule: kept.
    expect(rezonedChanges({ ...cron, failureCount: 1, nextRunMs: T0 + 20_000 }, 'UTC', 'Asia/Tokyo', T0)).toBeNull();
    expect(rezonedChanges({ ...cron, nextRunMs: T0 - 60_000 }, 'UTC', 'Asia/Tokyo', T0)).toBeNull();
  });

  it('answers 404 for a missing job', () => {
    expect(() => jobChanges(null, {}, 'UTC', T0)).toThrow('Cron job not found');
  });
});
