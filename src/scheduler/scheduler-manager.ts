// Cron and heartbeat services for every agent: started at boot and on creation, stopped on deletion, following config.
import type { AgentDirectory } from '../agents';
import type { SessionsService } from '../sessions';
import type { SchedulerPorts } from './scheduler-ports';
import type { ChatService } from '../chat';
import type { RuntimeConfigStore } from '../config/runtime-config';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import { createCronService, type CronService } from './cron-service';
import { createHeartbeatService, type HeartbeatService } from './heartbeat-service';
import { recoverInterruptedRuns } from './interrupted-runs';
import { allowEveryRun, type PreRunCheck } from './pre-run-check';
import { createSqliteSchedulerStore } from './scheduler.store';
import { systemTimers, type Timers } from './wake-timer';

export interface SchedulerManagerDeps {
  agents: AgentDirectory<SchedulerPorts>;
  sessions: Pick<SessionsService, 'of'>;
  chat: ChatService;
  configStore: RuntimeConfigStore;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
  newId?: () => string;
  /** Checked before every scheduled model call (budgets, issue 7). */
  preRunCheck?: PreRunCheck;
}

interface AgentServices {
  root: string;
  cron: CronService;
  heartbeat: HeartbeatService;
}

export interface SchedulerManager {
  /** Recovers interrupted runs and starts the services of every existing agent; then follows agent and config events. */
  start(): void;
  /** The agent's cron service. 400/404 like `agents.get`. */
  cron(agentId?: string | null): CronService;
  heartbeat(agentId?: string | null): HeartbeatService;
  /** Re-reads an agent's scheduler config (after a config write that bypassed the config store). */
  reconfigure(agentId: string): void;
  /** Stops every timer and drops queued runs; runs in progress go on. */
  close(): void;
  /** Resolves when no cron run or heartbeat is executing. */
  drain(): Promise<void>;
}

export function createSchedulerManager(deps: SchedulerManagerDeps): SchedulerManager {
  const services = new Map<string, AgentServices>();
  /** Stopped services whose last runs may still be executing. */
  const retired = new Set<AgentServices>();
  const unsubscribe: (() => void)[] = [];
  let closed = false;

  const open = (agentId: string): AgentServices => {
    const existing = services.get(agentId);
    if (existing) return existing;
    const agent = deps.agents.get(agentId);
    const interrupted = recoverInterruptedRuns(createSqliteSchedulerStore(agent.storage.db), deps.clock.nowMs());
    if (interrupted > 0) deps.logger.warn('cron runs interrupted by the last stop', { agent_id: agentId, count: interrupted });
    const shared = {
      agent,
      chat: deps.chat,
      sessions: deps.sessions,
      clock: deps.clock,
      timers: deps.timers ?? systemTimers,
      logger: deps.logger,
      preRunCheck: deps.preRunCheck ?? allowEveryRun,
    };
    const opened = { root: agent.root, cron: createCronService({ ...shared, newId: deps.newId ?? newId }), heartbeat: createHeartbeatService(shared) };
    services.set(agentId, opened);
    opened.cron.reconfigure();
    opened.heartbeat.reconfigure();
    return opened;
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

  const reconfigure = (agentId: string) => {
    const opened = services.get(agentId);
    opened?.cron.reconfigure();
    opened?.heartbeat.reconfigure();
  };

  const servicesOf = (agentId?: string | null): AgentServices => {
    const agent = deps.agents.get(agentId);
    if (closed) throw new AppError('not_ready', 'The scheduler is shutting down');
    return open(agent.id);
  };

  return {
    start() {
      for (const agentId of deps.agents.ids()) {
        try {
          open(agentId);
        } catch (error) {
          deps.logger.error('scheduler could not start for an agent', { agent_id: agentId, error: String(error) });
        }
      }
      unsubscribe.push(
        deps.agents.subscribe((event) => {
          if (closed) return;
          if (event.type === 'created') open(event.agentId);
          else stop(event.agentId);
        }),
        deps.configStore.subscribe((agentRoot) => {
          for (const [agentId, opened] of services) {
            if (opened.root === agentRoot) reconfigure(agentId);
          }
        }),
      );
    },
    cron: (agentId) => servicesOf(agentId).cron,
    heartbeat: (agentId) => servicesOf(agentId).heartbeat,
    reconfigure,
    close() {
      closed = true;
      for (const off of unsubscribe.splice(0)) off();
      for (const agentId of [...services.keys()]) stop(agentId);
    },
    async drain() {
      const all = [...services.values(), ...retired];
      await Promise.all(all.flatMap((opened) => [opened.cron.idle(), opened.heartbeat.idle()]));
    },
  };
}
