// Routes every tool call of a turn through the tool runner, including calls for tools the model was not offered.
import { ToolMessage } from '@langchain/core/messages';
import { createMiddleware } from 'langchain';
import type { RunTools } from '../tools/tool-registry';

/**
 * A `wrapToolCall` middleware: LangChain would answer a call for an unoffered tool with its own
 * "tool not found" text and never audit it. Here every call, offered or not, goes to the runner, which
 * re-checks the policy (`E_POLICY_DENIED` for a withheld tool), validates, audits, and returns the JSON result.
 */
export function toolGateMiddleware(execute: RunTools['execute'], runId: string, signal?: AbortSignal) {
  return createMiddleware({
    name: 'ToolGate',
    wrapToolCall: async (request) => {
      const call = request.toolCall;
      const content = await execute({ name: call.name, args: call.args ?? {}, runId, signal });
      return new ToolMessage({ content, tool_call_id: call.id ?? '', name: call.name });
    },
  });
}
