// Compiled agent graphs kept between turns: one per model client and tool set. What changes from turn to turn (the
// system prompt, the history, the tool runner bound to the run) travels with each stream, never inside the graph.
import type { ChatOpenAI } from '@langchain/openai';
import { lruCached } from '../shared/lru-cache';
import type { OfferedTool } from '../tools';
import type { LangChainRuntime } from './langchain-runtime';
import { toolGateMiddleware } from './tool-gate-middleware';

export type AgentGraph = ReturnType<LangChainRuntime['createAgent']>;

/** Tool sets kept per model client; past it the least recently used graph is dropped. */
const MAX_GRAPHS_PER_MODEL = 16;

/** Keyed by the shared model client (model-cache.ts): a client dropped there takes its graphs with it. */
const graphs = new WeakMap<ChatOpenAI, Map<string, AgentGraph>>();

/**
 * The `createAgent` graph for `model` and `tools`, built once per distinct tool set (names, descriptions and
 * schemas) and reused by every turn offering the same tools, concurrent ones included: a graph holds no state of
 * a run. The tool-gate middleware finds the run's hooks in the stream's LangGraph context (`gateContext`).
 */
export function sharedAgentGraph(runtime: LangChainRuntime, model: ChatOpenAI, tools: OfferedTool[]): AgentGraph {
  let byTools = graphs.get(model);
  if (!byTools) {
    byTools = new Map();
    graphs.set(model, byTools);
  }
  return lruCached(byTools, JSON.stringify(tools), MAX_GRAPHS_PER_MODEL, () => {
    built += 1;
    return runtime.createAgent({
      model,
      tools: langChainTools(runtime, tools),
      middleware: [toolGateMiddleware(runtime)],
    });
  });
}

let built = 0;

/** Graphs this process has built so far: a test reads it to see a turn find its graph ready. */
export const agentGraphsBuilt = (): number => built;

/**
 * The offered tools as LangChain tools, for the model to bind. Their own functions never run: the tool-gate
 * middleware answers every call (offered or not) through the run's tool runner.
 */
function langChainTools(runtime: LangChainRuntime, tools: OfferedTool[]) {
  return tools.map(
    (tool) =>
      new runtime.DynamicStructuredTool({
        name: tool.name,
        description: tool.description,
        schema: tool.schema,
        func: () => Promise.reject(new Error(`The call of ${tool.name} did not go through the tool gate.`)),
      }),
  );
}
