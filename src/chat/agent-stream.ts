// The boundary to the model: one attempt's createAgent graph, streamed in `updates` + `messages` modes.
import type { RuntimeConfig } from '../config';
import type { ModelMessage } from '../sessions';
import type { RunTools } from '../tools';
import { loadLangChain, type LangChainRuntime } from './langchain-runtime';
import { sharedChatModel } from './model-cache';
import type { ResolvedLlm } from './model-factory';
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
    middleware: [toolGateMiddleware(runtime, request.tools.execute, request.runId, request.model, request.signal)],
  });
  const messages = [...request.history, { role: 'user', content: request.message }].map((message): [string, string] => [
    message.role,
    message.content,
  ]);
  return agent.stream(
    { messages },
    {
      streamMode: ['updates', 'messages'],
      recursionLimit: config.agent_runtime.max_steps * 2 + 1,
      signal: request.signal,
    },
  );
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
