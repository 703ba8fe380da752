// The boundary to the model: one attempt's createAgent graph, streamed in `updates` + `messages` modes.
import type { RuntimeConfig } from '../config';
import type { ModelMessage } from '../sessions';
import type { RunTools } from '../tools';
import { loadLangChain, type LangChainRuntime } from './langchain-runtime';
import { sharedChatModel } from './model-cache';
import type { ResolvedLlm } from './model-factory';
import type { RunCheckpointer, TurnStep } from './run-checkpointer';
import { toolGateMiddleware } from './tool-gate-middleware';

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
 * `GraphRecursionError`; model and tool failures surface as rejections of the iteration.
 */
export async function openAgentStream(request: AgentStreamRequest): Promise<AsyncIterable<unknown>> {
  const { config } = request;
  const runtime = await loadLangChain();
  const agent = runtime.createAgent({
    model: await sharedChatModel({
      llm: request.llm,
      model: request.model,
      runtime: config.llm_runtime,
      streaming: true,
    }),
    tools: langChainTools(runtime, request.tools, request.runId, request.model),
    systemPrompt: request.systemPrompt,
    middleware: [
      toolGateMiddleware(
        runtime,
        request.tools.execute,
        request.runId,
        request.model,
        request.signal,
        request.checkpointer,
      ),
    ],
  });
  const { systemPrompt, history, message, steps } = request;
  request.checkpointer?.begin({ systemPrompt, history, message, steps });
  const messages = [
    ...[...history, { role: 'user', content: message }].map((entry): [string, string] => [entry.role, entry.content]),
    ...(steps ?? []).map((step) => stepMessage(runtime, step)),
  ];
  return agent.stream(
    { messages },
    {
      streamMode: ['updates', 'messages'],
      recursionLimit: config.agent_runtime.max_steps * 2 + 1,
      signal: request.signal,
    },
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

/** The run's tool declarations as LangChain tools; the tool-gate middleware intercepts every call to them. */
function langChainTools(runtime: LangChainRuntime, tools: RunTools, runId: string, model: string) {
  return tools.offered.map(
    (tool) =>
      new runtime.DynamicStructuredTool({
        name: tool.name,
        description: tool.description,
        schema: tool.schema,
        func: async (args: unknown, _runManager, config) =>
          tools.execute({ name: tool.name, args, runId, signal: config?.signal, model }),
      }),
  );
}
