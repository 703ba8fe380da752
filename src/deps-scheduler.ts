// The composition root's scheduler part: cron and heartbeat for every agent, each scheduled run checked against the budget first.
import {
  createSchedulerManager,
  createSchedulerService,
  type PreRunCheck,
  type SchedulerManagerDeps,
  type SchedulerService,
  type SchedulerServiceDeps,
} from './scheduler';
import { checkBudget } from './usage';

export type SchedulerParts = Omit<SchedulerManagerDeps, 'preRunCheck' | 'configStore'> & {
  configStore: SchedulerManagerDeps['configStore'] & SchedulerServiceDeps['configStore'];
};

/**
 * The scheduler manager (each agent's cron and heartbeat services, started and stopped with the agents) and the
 * scheduler API's service over it. A scheduled run at a blocking budget cap is recorded as `skipped_budget` without
 * calling the model.
 */
export function buildScheduler(parts: SchedulerParts): SchedulerService {
  const budgetGate: PreRunCheck = async ({ agent }) => {
    const budget = await checkBudget(agent.storage.usage, agent.config(), parts.clock.nowMs());
    return budget.state === 'block'
      ? { allowed: false, status: 'skipped_budget', reason: budget.message }
      : { allowed: true };
  };
  const manager = createSchedulerManager({ ...parts, preRunCheck: budgetGate });
  return createSchedulerService({ agents: parts.agents, manager, configStore: parts.configStore });
}
