// What a turn does around the model: tool calls that hold their own lease, a failed result, the budget check and warning.
import type { AgentHandle } from '../agents';
import { AppError } from '../shared/app-error';
import type { RunTools } from '../tools';
import { budgetWarning, projectBudget, type BudgetStatus } from '../usage';
import type { ChatEvent } from './chat-events';
import type { AgentTurnResult } from './run-agent';

/** Every tool call holds its own lease: a call still running when its turn was abandoned keeps the agent's storage until it ends. */
export function leasedCalls(agent: AgentHandle<unknown>, tools: RunTools): RunTools {
  return {
    offered: tools.offered,
    async execute(call) {
      using _lease = agent.lease();
      return await tools.execute(call);
    },
  };
}

export const failedTurn = (code: string, message: string): AgentTurnResult => ({
  ok: false,
  content: '',
  runId: '',
  usage: null,
  error: { code, message },
});

/** 429 `budget_exceeded` with the cap, the spend and the reset time when the budget blocks runs. */
export function assertWithinBudget(budget: BudgetStatus): void {
  if (budget.state !== 'block') return;
  throw new AppError('budget_exceeded', budget.message, { ...budgetWarning(budget) });
}

/** A `usage` event gets a `budget` field once this run's spend so far brings a window to 80 % of its cap. */
export function withBudgetWarning(event: ChatEvent, budget: BudgetStatus): ChatEvent {
  if (event.type !== 'usage' || budget.windows.length === 0) return event;
  const priced = event.data.priced && event.data.cost_usd !== null;
  const warning = budgetWarning(projectBudget(budget, priced ? (event.data.cost_usd ?? 0) : 0, priced ? 0 : 1));
  return warning ? { type: 'usage', data: { ...event.data, budget: warning } } : event;
}
