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

/**
 * A turn run to its end, as `runOnce` answers it: the result when it succeeded; otherwise throws the storage fault
 * it ended by, 404 `agent_deleted`, 503 `not_ready` (the server stopped under it), 409 `run_cancelled`, or 502
 * `llm_error` (500 without a result).
 */
export function succeededTurn(
  result: AgentTurnResult | undefined,
  fault: AppError | undefined,
  runId: string,
  interrupted = false,
): AgentTurnResult {
  if (!result) throw new AppError('internal_error', 'Internal server error');
  if (fault) throw fault;
  if (result.ok) return result;
  if (result.error?.code === 'agent_deleted') throw new AppError('agent_deleted', result.error.message);
  // The server stopped under the run (which it cancelled) and stored it interrupted: neither the client's cancel
  // nor the model's failure.
  if (interrupted || result.error?.code === 'not_ready')
    throw new AppError(
      'not_ready',
      'The server stopped before the run could finish; the run ends interrupted, with its reply so far kept in the session.',
      { run_id: runId },
    );
  if (result.error?.code === 'cancelled')
    throw new AppError('run_cancelled', 'The run was cancelled.', { run_id: runId });
  throw new AppError('llm_error', result.error?.message ?? 'Model call failed', {
    code: result.error?.code ?? 'llm_error',
    run_id: result.runId,
  });
}

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
