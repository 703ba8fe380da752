// The boundary to the model: one attempt's createAgent graph, streamed in `updates` + `messages` modes, here or on a model worker.
import type { RuntimeConfig } from '../config';
import type { ModelMessage } from '../sessions';
import type { RunTools } from '../tools';
import { sharedAgentGraph } from './agent-graph-cache';
import { loadLangChain, type LangChainRuntime } from './langchain-runtime';
import { sharedChatModel } from './model-cache';
import type { ResolvedLlm } from './model-factory';
import { withModelTokens } from './model-token-stream';
import type { AgentStreamCore } from './model-worker/wire';
import { modelWorkerPool } from './model-worker/worker-pool';
import type { RunCheckpointer, TurnStep } from './run-checkpointer';
import type { GateContext, ToolGateHooks } from './tool-gate-middleware';

export interface AgentStreamRequest {
  llm: ResolvedLlm;
  /** The model to call (the tool-loop override already applied). */
  model: string;
  config: RuntimeConfig;
  systemPrompt: string;
  history: ModelMessage[];
  /** The user's turn as the model sees it. */
  message: string;
  tools: RunTools;
  /** The attempt's run id, under which tool calls are run and audited. */
  runId: string;
  signal?: AbortSignal;
  /** Follows the turn's steps, for a checkpoint should the run pause. */
  checkpointer?: RunCheckpointer;
  /** The steps a restored paused run goes on from (model steps and tool results after the user's message). */
  steps?: TurnStep[];
}

/**
 * Starts the agent graph for one attempt and returns its raw stream items (`[mode, chunk]`; read them
 * with `toStreamItem`). The graph stops after `agent_runtime.max_steps` model-and-tools rounds with a
 * `GraphRecursionError`; model and tool failures surface as rejections of the iteration. With model workers
 * (APP_MODEL_WORKERS) LangChain runs on one of them and its items arrive in plain form; tool calls still run here.
 */
export async function openAgentStream(request: AgentStreamRequest): Promise<AsyncIterable<unknown>> {
  const { config, systemPrompt, history, message, steps, checkpointer } = request;
  checkpointer?.begin({ systemPrompt, history, message, steps });
  const core: AgentStreamCore = {
    llm: request.llm,
    model: request.model,
    llmRuntime: config.llm_runtime,
    maxSteps: config.agent_runtime.max_steps,
    systemPrompt,
    history,
    message,
    tools: request.tools.offered,
    runId: request.runId,
    steps,
  };
  const hooks: ToolGateHooks = {
    execute: (call) =>
      request.tools.execute({ ...call, runId: request.runId, signal: request.signal, model: request.model }),
    modelStep: checkpointer && ((step) => checkpointer.modelStep(step)),
    toolStep: checkpointer && ((callId, name, content) => checkpointer.toolStep(callId, name, content)),
  };
  const pool = modelWorkerPool();
  return pool ? pool.stream(core, hooks, request.signal) : streamAgentHere(core, hooks, request.signal);
}

/** `openAgentStream` on this thread: the graph is built and streamed here. */
export async function streamAgentHere(
  core: AgentStreamCore,
  hooks: ToolGateHooks,
  signal?: AbortSignal,
): Promise<AsyncIterable<unknown>> {
  const runtime = await loadLangChain();
  const model = await sharedChatModel({ llm: core.llm, model: core.model, runtime: core.llmRuntime, streaming: true });
  const agent = sharedAgentGraph(runtime, model, core.tools);
  // The system prompt leads the messages rather than sitting in the graph, which other turns share.
  const messages = [
    ...(core.systemPrompt ? [['system', core.systemPrompt] as [string, string]] : []),
    ...[...core.history, { role: 'user', content: core.message }].map((entry): [string, string] => [
      entry.role,
      entry.content,
    ]),
    ...(core.steps ?? []).map((step) => stepMessage(runtime, step)),
  ];
  const context: GateContext = { toolGate: hooks };
  return withModelTokens(
    (callbacks, graphSignal) =>
      agent.stream(
        { messages },
        { streamMode: ['updates'], callbacks, recursionLimit: core.maxSteps * 2 + 1, signal: graphSignal, context },
      ),
    signal,
  );
}

/** A step of a restored run as the message LangChain takes. */
function stepMessage(runtime: LangChainRuntime, step: TurnStep) {
  if (step.role === 'tool')
    return new runtime.ToolMessage({ content: step.content, tool_call_id: step.toolCallId, name: step.name });
  return new runtime.AIMessage({
    content: step.content,
    tool_calls: step.toolCalls.map((call) => ({
      type: 'tool_call' as const,
      id: call.id,
      name: call.name,
      args: call.args as Record<string, unknown>,
    })),
  });
}
