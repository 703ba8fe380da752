// The one gate every scheduled run passes before the model is called (budgets, issue 7, plug in here).
import type { AgentHandle } from '../agents';
import type { SchedulerStorage } from './scheduler-storage';

export interface PreRunContext {
  agent: AgentHandle<SchedulerStorage>;
  trigger: 'cron' | 'heartbeat';
  /** The cron job, for cron runs. */
  jobId?: string;
}

export type PreRunDecision = { allowed: true } | { allowed: false; status: 'skipped_budget'; reason: string };

/** Decides whether a scheduled run may start; a refusal is recorded as a run row with its status. */
export type PreRunCheck = (context: PreRunContext) => Promise<PreRunDecision>;

export const allowEveryRun: PreRunCheck = async () => ({ allowed: true });
