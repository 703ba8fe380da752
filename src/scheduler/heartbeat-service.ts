// One agent's heartbeat: a timer per interval inside the active window, skip states that never call the model.
import type { AgentHandle } from '../agents';
import type { ChatService } from '../chat';
import { heartbeatLock, type Coordinator } from '../coordination';
import type { SessionsService } from '../sessions';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { isHourInWindow, nextWindowStart, readHeartbeatPrompt } from './heartbeat-prompt';
import { createLiveTicks, STOPPED_TICK_REASON } from './live-tick';
import type { PreRunCheck } from './pre-run-check';
import {
  cancelledTurn,
  describeFailure,
  HEARTBEAT_OK,
  HEARTBEAT_RULES,
  isStoppedTurn,
  preview,
  runScheduledTurn,
} from './scheduled-turn';
import type { HeartbeatRun, HeartbeatStatus } from './scheduler.port';
import type { SchedulerStorage } from './scheduler-storage';
import { createWakeTimer, type Timers } from './wake-timer';
import { localHour } from './zoned-time';

export interface HeartbeatServiceDeps {
  agent: AgentHandle<SchedulerStorage>;
  chat: Pick<ChatService, 'runOnce' | 'isBusy'>;
  sessions: Pick<SessionsService, 'of'>;
  /** Claims each scheduled tick, so replicas sharing it tick each slot once. */
  coordinator: Coordinator;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  preRunCheck: PreRunCheck;
  /**
   * Whether the agent is still the one these services were opened for, its folder there and the same: another
   * replica may have deleted it on the shared volume (and this one not have heard yet), or an operator moved it.
   * Asked once a tick or run holds its claim, before it writes anything.
   */
  isCurrent(): boolean;
}

export interface HeartbeatService {
  /** Re-reads `heartbeat.*`: arms the next tick, or disarms when disabled. */
  reconfigure(): Promise<void>;
  /** One tick now, with every check a scheduled tick makes; resolves with its row. */
  tickNow(): Promise<HeartbeatRun>;
  runs(limit: number): Promise<HeartbeatRun[]>;
  stop(): void;
  /** After `stop`, as the server stops: the tick whose turn runs ends `interrupted` (see `LiveTicks.interrupt`). */
  interruptLive(): Promise<number>;
  idle(): Promise<void>;
}

export function createHeartbeatService(deps: HeartbeatServiceDeps): HeartbeatService {
  const { agent, clock, logger } = deps;
  // Asked on every use: the agent's storage may have been closed while idle and opened again.
  const store = () => agent.storage.heartbeats;
  let stopped = false;
  let ticking: Promise<HeartbeatRun> | null = null;
  let lastScheduledMs: number | null = null;
  // Read once, before the first tick is armed (ticks after it keep `lastScheduledMs` themselves).
  const loaded = store()
    .lastScheduledMs()
    .then((at) => void (lastScheduledMs = at));
  // The instant the timer is armed for (the timer forgets it before calling back), for the lag.
  let target: number | null = null;
  const timer = createWakeTimer(clock, deps.timers, () => {
    const slot = target ?? clock.nowMs();
    void claimedTick(slot).then(
      (run) => {
        if (run?.status !== 'skipped_disabled') armNow();
      },
      (error) => {
        logger.error('heartbeat tick failed', { agent_id: agent.id, error: String(error) });
        // The slot is spent (not retried at once, in a loop): the next one is armed, or heartbeats would stop here.
        lastScheduledMs = Math.max(lastScheduledMs ?? slot, slot);
        armNow();
      },
    );
  });

  /**
   * A scheduled tick under the agent's heartbeat claim, read against the stored rows: a slot another
   * replica is ticking (claim held) or has ticked (a stored row at or after it) is skipped here, and this
   * service follows that schedule. Null when skipped.
   */
  const claimedTick = async (scheduledMs: number): Promise<HeartbeatRun | null> => {
    // Not this agent any more: no claim either, so the replica whose services are current ticks the slot.
    const claim = deps.isCurrent() ? await deps.coordinator.tryLock(heartbeatLock(agent.id)) : null;
    // The stop began while the claim was taken, or the agent went away (deleted elsewhere): no new tick starts.
    const gone = stopped || (claim !== null && !deps.isCurrent());
    if (gone) await claim?.release();
    if (!claim || gone) {
      lastScheduledMs = Math.max(lastScheduledMs ?? scheduledMs, scheduledMs);
      return null;
    }
    try {
      const stored = await store().lastScheduledMs();
      if (stored !== null && stored >= scheduledMs) {
        lastScheduledMs = stored;
        return null;
      }
      return await tick('scheduled', scheduledMs);
    } finally {
      await claim.release();
    }
  };

  const armNow = () => {
    const config = agent.config().heartbeat;
    if (stopped || !config.enabled) {
      target = null;
      return timer.disarm();
    }
    const now = clock.nowMs();
    const due = lastScheduledMs === null ? now : Math.max(now, lastScheduledMs + config.interval_seconds * 1000);
    target = nextWindowStart(due, config.timezone, config.active_start_hour, config.active_end_hour);
    timer.arm(target);
  };

  const ticks = createLiveTicks({ agent, clock, logger });
  const record = ticks.record;

  const evaluate = async (trigger: HeartbeatRun['trigger'], scheduledMs: number | null): Promise<HeartbeatRun> => {
    const config = agent.config().heartbeat;
    const startedMs = clock.nowMs();
    const sessionId = config.session_id;
    const row = (
      status: HeartbeatStatus,
      details: Record<string, unknown>,
      extra: Partial<HeartbeatRun> = {},
    ): Promise<HeartbeatRun> =>
      record({
        timestampMs: clock.nowMs(),
        status,
        timezone: config.timezone,
        trigger,
        scheduledMs,
        scheduleLagMs: scheduledMs === null ? null : Math.max(0, startedMs - scheduledMs),
        durationMs: null,
        runId: null,
        sessionId,
        details,
        ...extra,
      });
    if (!config.enabled) return row('skipped_disabled', { session_id: sessionId });
    const hour = localHour(startedMs, config.timezone);
    if (!isHourInWindow(hour, config.active_start_hour, config.active_end_hour)) {
      return row('skipped_outside_window', {
        active_start_hour: config.active_start_hour,
        active_end_hour: config.active_end_hour,
        local_hour: hour,
      });
    }
    const prompt = readHeartbeatPrompt(agent.root);
    if (!prompt)
      return row('skipped_no_prompt', {
        session_id: sessionId,
        ...(prompt === null ? { reason: 'missing_file' } : {}),
      });
    if (await deps.chat.isBusy(agent.id, sessionId)) return row('skipped_busy', { session_id: sessionId });
    const decision = await deps.preRunCheck({ agent, trigger: 'heartbeat' });
    if (!decision.allowed) return row(decision.status, { session_id: sessionId, reason: decision.reason });
    const live = ticks.start({
      timestampMs: clock.nowMs(),
      status: 'waiting_approval',
      timezone: config.timezone,
      trigger,
      scheduledMs,
      scheduleLagMs: scheduledMs === null ? null : Math.max(0, startedMs - scheduledMs),
      durationMs: null,
      runId: null,
      sessionId,
      details: { session_id: sessionId },
    });
    try {
      const result = await runScheduledTurn(deps.chat, deps.sessions, {
        agent,
        sessionId,
        title: 'Heartbeat',
        prompt,
        rules: HEARTBEAT_RULES,
        trigger: 'heartbeat',
        // The tick's history shows it waiting for an approval; its final row replaces that one.
        onApprovalWait: live.onApprovalWait,
        // An all-clear is not kept: the session holds only heartbeats that had something to say.
        discardIfAnswer: HEARTBEAT_OK,
      });
      const interrupted = live.end();
      if (interrupted) return interrupted;
      const suppressed = result.content === HEARTBEAT_OK;
      return row(
        'ok',
        { session_id: sessionId, suppressed, response_preview: preview(result.content) },
        { runId: result.runId, durationMs: clock.nowMs() - startedMs },
      );
    } catch (error) {
      // The server stopped under the turn: the tick was interrupted, not failed (the stop may have stored it so).
      const interrupted = live.end();
      if (interrupted) return interrupted;
      if (stopped && isStoppedTurn(error))
        return row('interrupted', { session_id: sessionId, reason: STOPPED_TICK_REASON });
      const cancelled = cancelledTurn(error);
      if (cancelled)
        return row(
          'cancelled',
          { session_id: sessionId },
          { runId: cancelled.runId, durationMs: clock.nowMs() - startedMs },
        );
      return row('error', { error: describeFailure(error) }, { durationMs: clock.nowMs() - startedMs });
    }
  };

  const tick = async (trigger: HeartbeatRun['trigger'], scheduledMs: number | null): Promise<HeartbeatRun> => {
    using _lease = agent.lease();
    if (trigger === 'scheduled') lastScheduledMs = scheduledMs;
    const running = evaluate(trigger, scheduledMs);
    ticking = running;
    try {
      return await running;
    } finally {
      if (ticking === running) ticking = null;
    }
  };

  return {
    reconfigure: () => loaded.then(armNow),
    tickNow: () => tick('manual', null),
    runs: (limit) => store().list(limit),
    stop() {
      stopped = true;
      timer.disarm();
    },
    interruptLive: () => ticks.interrupt(),
    async idle() {
      while (ticking) await ticking;
    },
  };
}
