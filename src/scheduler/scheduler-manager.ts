// Cron and heartbeat services for every agent: started at boot and on creation, stopped on deletion, following config.
import type { AgentDirectory, AgentHandle } from '../agents';
import type { ChatService } from '../chat';
import type { RuntimeConfigStore } from '../config';
import { cronJobLock, sessionRunLock, type Coordinator } from '../coordination';
import type { SessionsService } from '../sessions';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import { createCronService, type CronService } from './cron-service';
import { createHeartbeatService, type HeartbeatService } from './heartbeat-service';
import { interruptScheduled } from './interrupt-scheduled';
import { recoverInterruptedRuns } from './interrupted-runs';
import { recoverWaitingTicks } from './live-tick';
import { allowEveryRun, type PreRunCheck } from './pre-run-check';
import type { SchedulerStorage } from './scheduler-storage';
import { systemTimers, type Timers } from './wake-timer';

export interface SchedulerManagerDeps {
  agents: AgentDirectory<SchedulerStorage>;
  sessions: Pick<SessionsService, 'of'>;
  chat: Pick<ChatService, 'runOnce' | 'isBusy'>;
  configStore: Pick<RuntimeConfigStore, 'subscribe'>;
  coordinator: Coordinator;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
  newId?: () => string;
  /** Checked before every scheduled model call (budgets, issue 7). */
  preRunCheck?: PreRunCheck;
  /**
   * With storage other replicas share: how often to look for work they changed or left: agents created
   * or deleted elsewhere, jobs added elsewhere, runs of a replica that died (their claims expired).
   * Null (the default): this process is the only one, and its own events say it all.
   */
  sharedPollMs?: number | null;
  /** The agents with scheduler work due by `untilMs` or runs in progress; without it each poll looks at every agent. */
  sharedWork?: (untilMs: number) => Promise<Set<string>>;
}

interface AgentServices {
  agentId: string;
  /** The handle the services were opened with (one made anew elsewhere under the id is another). */
  agent: AgentHandle<SchedulerStorage>;
  root: string;
  cron: CronService;
  heartbeat: HeartbeatService;
  /** Interrupted runs recovered and both services configured. */
  ready: Promise<void>;
}

export interface SchedulerManager {
  /**
   * Recovers interrupted runs and starts the services of every existing agent, running `alsoEach` for each one
   * while its storage is open (one pass over the agents, not one per task); then follows agent and config events.
   */
  start(alsoEach?: (agentId: string) => Promise<void>): Promise<void>;
  /** The agent's cron service. 400/404 like `agents.get`; 503 `not_ready` once closed. */
  cron(agentId?: string | null): CronService;
  heartbeat(agentId?: string | null): HeartbeatService;
  /** Re-reads an agent's scheduler config (after a config write that bypassed the config store). */
  reconfigure(agentId: string): Promise<void>;
  /** Stops every timer and drops queued runs; runs in progress go on. */
  close(): void;
  /**
   * After `close`, as the server stops: the rows of the cron runs and heartbeat ticks this process has in progress
   * end `interrupted` (as the next start's sweep would write them; rows of other replicas' runs are not touched),
   * written within INTERRUPT_WRITES_MS (what storage has not written by then is left to that sweep). Never rejects;
   * returns how many rows changed.
   */
  interruptLive(): Promise<number>;
  /** Resolves when no cron run or heartbeat is executing. */
  drain(): Promise<void>;
}

export function createSchedulerManager(deps: SchedulerManagerDeps): SchedulerManager {
  const services = new Map<string, AgentServices>();
  const claimOf = (agentId: string) => (jobId: string) => deps.coordinator.tryLock(cronJobLock(agentId, jobId));
  let poller: ReturnType<typeof setInterval> | null = null;
  let polling = false;
  /** Stopped services whose last runs may still be executing. */
  const retired = new Set<AgentServices>();
  const unsubscribe: (() => void)[] = [];
  let closed = false;

  const open = (agentId: string): AgentServices => {
    const agent = deps.agents.get(agentId);
    const existing = services.get(agentId);
    if (existing?.agent === agent) return existing;
    // Deleted and made anew on another replica since: services of the old handle would do nothing for good.
    if (existing) stop(agentId);
    const shared = {
      agent,
      chat: deps.chat,
      sessions: deps.sessions,
      clock: deps.clock,
      timers: deps.timers ?? systemTimers,
      logger: deps.logger,
      preRunCheck: deps.preRunCheck ?? allowEveryRun,
      isCurrent: () => {
        // Not found (moved away, deleted elsewhere), or with shared storage a folder made anew: another handle.
        const current = currentHandle(deps.agents, agentId) === agent;
        if (!current) deps.logger.info('scheduled work skipped: its agent was deleted or moved', { agent_id: agentId });
        return current;
      },
    };
    const cron = createCronService({ ...shared, coordinator: deps.coordinator, newId: deps.newId ?? newId });
    const heartbeat = createHeartbeatService({ ...shared, coordinator: deps.coordinator });
    const ready = (async () => {
      const interrupted = await recoverInterruptedRuns(agent.storage.scheduler, deps.clock.nowMs(), claimOf(agentId));
      if (interrupted > 0)
        deps.logger.warn('cron runs interrupted by the last stop', { agent_id: agentId, count: interrupted });
      const ticks = await recoverWaitingTicks(agent.storage.heartbeats, (sessionId) =>
        deps.coordinator.tryLock(sessionRunLock(agentId, sessionId)),
      );
      if (ticks > 0)
        deps.logger.warn('heartbeat ticks interrupted by the last stop', { agent_id: agentId, count: ticks });
      await cron.reconfigure();
      await heartbeat.reconfigure();
    })();
    const opened = { agentId, agent, root: agent.root, cron, heartbeat, ready };
    services.set(agentId, opened);
    return opened;
  };

  /** Opens an agent's services, logging (not throwing) what stops them: one agent's damage never stops the others. */
  const openLogged = async (agentId: string) => {
    try {
      await open(agentId).ready;
    } catch (error) {
      deps.logger.error('scheduler could not start for an agent', { agent_id: agentId, error: String(error) });
    }
  };

  const stop = (agentId: string) => {
    const opened = services.get(agentId);
    services.delete(agentId);
    if (!opened) return;
    opened.cron.stop();
    opened.heartbeat.stop();
    retired.add(opened);
    void Promise.all([opened.cron.idle(), opened.heartbeat.idle()]).then(() => retired.delete(opened));
  };

  const reconfigure = async (agentId: string) => {
    const opened = services.get(agentId);
    await opened?.cron.reconfigure();
    await opened?.heartbeat.reconfigure();
  };

  /** One agent's part of a poll; what fails is logged, and the poll goes on with the next agent. */
  const pollAgent = async (agentId: string, busy: Set<string> | undefined) => {
    try {
      const opened = services.get(agentId);
      const agent = deps.agents.get(agentId);
      // New here, or made anew elsewhere (`open` replaces the old handle's services).
      if (opened?.agent !== agent) return await openLogged(agentId);
      if (busy && !busy.has(agentId)) return;
      const interrupted = await recoverInterruptedRuns(agent.storage.scheduler, deps.clock.nowMs(), claimOf(agentId));
      if (interrupted > 0)
        deps.logger.warn('cron runs of a stopped replica interrupted', { agent_id: agentId, count: interrupted });
      await opened.cron.reconfigure();
    } catch (error) {
      deps.logger.error('scheduler poll failed for an agent', { agent_id: agentId, error: String(error) });
    }
  };

  /** One look at what other replicas changed: agents, jobs, and runs whose replica died. */
  const poll = async () => {
    if (closed || polling) return;
    polling = true;
    try {
      const ids = new Set(deps.agents.ids());
      for (const agentId of [...services.keys()]) if (!ids.has(agentId)) stop(agentId);
      // Two polls ahead, so a job another replica added is armed here before it is due.
      const busy = await deps.sharedWork?.(deps.clock.nowMs() + 2 * (deps.sharedPollMs ?? 0));
      for (const agentId of ids) if (!closed) await pollAgent(agentId, busy);
    } catch (error) {
      deps.logger.error('scheduler poll failed', { error: String(error) });
    } finally {
      polling = false;
    }
  };

  const servicesOf = (agentId?: string | null): AgentServices => {
    const agent = deps.agents.get(agentId);
    if (closed) throw new AppError('not_ready', 'The scheduler is shutting down');
    return open(agent.id);
  };

  return {
    async start(alsoEach) {
      for (const agentId of deps.agents.ids()) {
        await openLogged(agentId);
        await alsoEach?.(agentId);
      }
      if (deps.sharedPollMs) {
        poller = setInterval(() => void poll(), deps.sharedPollMs);
        poller.unref();
      }
      unsubscribe.push(
        deps.agents.subscribe((event) => {
          if (closed) return;
          if (event.type === 'created') void openLogged(event.agentId);
          else stop(event.agentId);
        }),
        deps.configStore.subscribe((agentRoot) => {
          for (const [agentId, opened] of services) {
            if (opened.root !== agentRoot) continue;
            reconfigure(agentId).catch((error) =>
              deps.logger.error('scheduler could not follow a config change', {
                agent_id: agentId,
                error: String(error),
              }),
            );
          }
        }),
      );
    },
    cron: (agentId) => servicesOf(agentId).cron,
    heartbeat: (agentId) => servicesOf(agentId).heartbeat,
    reconfigure,
    close() {
      closed = true;
      if (poller) clearInterval(poller);
      for (const off of unsubscribe.splice(0)) off();
      for (const agentId of [...services.keys()]) stop(agentId);
    },
    // `close` retired every agent's services; those whose runs had all ended are gone already.
    interruptLive: () => interruptScheduled([...services.values(), ...retired], deps.logger),
    async drain() {
      const all = [...services.values(), ...retired];
      await Promise.all(all.flatMap((opened) => [opened.cron.idle(), opened.heartbeat.idle()]));
    },
  };
}

/** The handle `id` resolves to now, or null when there is no such agent. */
function currentHandle(agents: AgentDirectory<SchedulerStorage>, id: string): AgentHandle<SchedulerStorage> | null {
  try {
    return agents.get(id);
  } catch {
    // Not found: moved away, or deleted on another replica.
    return null;
  }
}
