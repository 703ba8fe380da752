// Routes every tool call of a turn through the tool runner, including calls for tools the model was not offered.
import { capToolArguments, UNPARSED_ARGUMENTS } from '../tools';
import type { LangChainRuntime } from './langchain-runtime';
import type { RunCheckpointer } from './run-checkpointer';

/** What the gate calls: the tool runner (run id, signal and model already bound), and a checkpointer's steps. */
export interface ToolGateHooks {
  execute(call: { name: string; args: unknown; callId?: string }): Promise<string>;
  modelStep?: RunCheckpointer['modelStep'];
  toolStep?: RunCheckpointer['toolStep'];
}

/** The LangGraph context a turn's stream carries: the run's hooks (the graph itself is shared). */
export interface GateContext {
  toolGate: ToolGateHooks;
}

/** The hooks of the run a middleware call belongs to. */
function hooksOf(runtime: { context?: unknown }): ToolGateHooks {
  const hooks = (runtime.context as Partial<GateContext> | undefined)?.toolGate;
  if (!hooks) throw new Error('An agent graph ran without a tool gate in its context.');
  return hooks;
}

/**
 * A `wrapToolCall` middleware: LangChain would answer a call for an unoffered tool with its own
 * "tool not found" text and never audit it. Here every call, offered or not, goes to the runner, which
 * re-checks the policy (`E_POLICY_DENIED` for a withheld tool), validates, audits, and returns the JSON result.
 * One middleware serves every run of a shared graph: each call finds its run's hooks in the stream's context.
 */
export function toolGateMiddleware(runtime: LangChainRuntime) {
  const { AIMessage, ToolMessage } = runtime;
  return runtime.createMiddleware({
    name: 'ToolGate',
    // A call whose arguments were not JSON arrives as an `invalid_tool_call`, which the agent would drop and
    // end the turn in silence. Turned into a real call with the raw text as arguments, it reaches the runner,
    // which answers `E_INVALID_ARGS` (audited), and the model can try again. Arguments past
    // MAX_TOOL_ARGUMENTS_CHARS become their marker here, before the message joins the turn: `tool_start`, the
    // stored reply, the checkpoint and the next model call see the marker, never the megabytes; same call ids.
    wrapModelCall: async (request, handler) => {
      const hooks = hooksOf(request.runtime);
      const response = await handler(request);
      if (!AIMessage.isInstance(response)) return response;
      const repaired = (response.invalid_tool_calls ?? []).map((call, index) => ({
        type: 'tool_call' as const,
        id: call.id ?? `invalid_${index}`,
        name: call.name ?? 'unknown',
        args: { [UNPARSED_ARGUMENTS]: call.args ?? '' },
      }));
      const calls = [...(response.tool_calls ?? []), ...repaired];
      const capped = calls.map((call) => ({ ...call, args: capToolArguments(call.args) as Record<string, unknown> }));
      const cut = capped.some((call, index) => call.args !== calls[index]!.args);
      if (repaired.length === 0 && !cut) {
        hooks.modelStep?.(response);
        return response;
      }
      // The provider's own copy of the calls (read when `tool_calls` is empty) holds the arguments whole.
      const { tool_calls: _raw, ...kwargs } = response.additional_kwargs ?? {};
      const message = new AIMessage({
        id: response.id,
        content: response.content,
        additional_kwargs: cut ? kwargs : response.additional_kwargs,
        response_metadata: response.response_metadata,
        usage_metadata: response.usage_metadata,
        tool_calls: capped,
        invalid_tool_calls: [],
      });
      hooks.modelStep?.(message);
      return message;
    },
    wrapToolCall: async (request) => {
      const hooks = hooksOf(request.runtime);
      const call = request.toolCall;
      const content = await hooks.execute({ name: call.name, args: call.args ?? {}, callId: call.id });
      hooks.toolStep?.(call.id ?? '', call.name, content);
      return new ToolMessage({ content, tool_call_id: call.id ?? '', name: call.name });
    },
  });
}
