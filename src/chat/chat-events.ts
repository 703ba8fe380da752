// The SSE event catalogue of a chat turn, as one discriminated union (names and fields are the contract's).
import type { BudgetWarning } from '../usage';
import type { TokenCounts } from '../usage';

export interface UsageEventData extends TokenCounts {
  run_id: string;
  agent_id: string;
  provider: string;
  model: string;
  model_source: string;
  usage_source: string;
  pricing: Record<string, unknown>;
  priced: boolean;
  cost_usd: number | null;
  /** True once the run's counts include the server's estimate for a model stream that ended early. */
  estimated: boolean;
  /** Present from 80 % of a budget cap (counting this run so far). */
  budget?: BudgetWarning;
}

export type ChatEvent =
  | { type: 'retrieval'; data: { query: string; results: { text: string; score: number; source: string }[] } }
  | { type: 'run_start'; data: { run_id: string; attempt: number } }
  /** The turn moves to the next profile of the agent's route (`reason`: a failure class, or `circuit_open`). */
  | { type: 'model_fallback'; data: { from: string; to: string; reason: string } }
  | { type: 'agent_update'; data: { run_id: string; node: string; message_count: number; preview: string } }
  | { type: 'token'; data: { content: string; source: 'messages' | 'updates' } }
  | { type: 'tool_start'; data: { run_id: string; tool: string; input: unknown } }
  | { type: 'tool_end'; data: { run_id: string; tool: string; output: string } }
  | { type: 'new_response'; data: Record<string, never> }
  | { type: 'reasoning'; data: { run_id: string; content: string } }
  | { type: 'usage'; data: UsageEventData }
  | {
      type: 'done';
      data: {
        content: string;
        session_id: string;
        agent_id: string;
        run_id: string;
        token_source: string;
        usage: Record<string, unknown>;
      };
    }
  | { type: 'title'; data: { session_id: string; agent_id: string; title: string } }
  | {
      /** A tool call waits for a decision (POST /api/approvals/{approval_id}); `expires_at` in epoch seconds. */
      type: 'approval_required';
      data: {
        approval_id: string;
        run_id: string;
        tool: string;
        args: unknown;
        permission_level: string;
        expires_at: number;
      };
    }
  | { type: 'error'; data: { error: string; run_id: string; attempt: number; code: string } };

export type ChatEventType = ChatEvent['type'];
