// Warming a turn's code paths once after start: LangChain loaded, a model client, an agent graph and the stream mapper run for real.
import type { AgentDirectory } from '../agents';
import type { LlmSettings, RuntimeConfig } from '../config';
import type { SessionsService } from '../sessions';
import type { OfferedTool, ToolsService } from '../tools';
import { checkBudget } from '../usage';
import { sharedAgentGraph } from './agent-graph-cache';
import { startCannedModel } from './canned-model';
import type { ChatEvent } from './chat-events';
import type { ChatPorts } from './chat-service';
import { loadLangChain } from './langchain-runtime';
import { sharedChatModel } from './model-cache';
import { resolveLlm, resolveToolLoopModel } from './model-factory';
import { invokeModel } from './model-invoke';
import { modelWorkerPool } from './model-worker/worker-pool';
import { llmOf, toolLoopSettings, type ModelAccess } from './model-router';
import type { PromptBuilder } from './prompt-builder';
import { runAgentTurn } from './run-agent';
import { nextEventLoopTurn } from './stream-pacing';
import { generateTitle } from './title';

/**
 * LangChain's modules in the order they depend on each other, loaded one at a time with a return to the
 * event loop between them: evaluating them is the one long stretch of warming (about 170 ms on this machine
 * in one piece, 45 ms at most this way), and a request arriving meanwhile waits for one piece only.
 */
const LANGCHAIN_PIECES = [
  () => import('@langchain/core/messages'),
  () => import('@langchain/core/language_models/chat_models'),
  () => import('@langchain/core/tools'),
  () => import('@langchain/openai'),
  () => import('langchain'),
];

/** Turns played by default. */
export const WARM_UP_ROUNDS = 1;

export interface WarmUpDeps {
  agents: AgentDirectory<ChatPorts>;
  sessions: Pick<SessionsService, 'of'>;
  tools: ToolsService;
  prompts: PromptBuilder;
  llmSettings: LlmSettings;
  /** The agents' model routes: the clients of the default agent's first model are built ahead. */
  models: Pick<ModelAccess, 'route'>;
  nowMs: () => number;
}

/** What the warm-up did: the events of its last turn and how many calls its in-process model answered. */
export interface WarmUpResult {
  events: ChatEvent[];
  modelCalls: number;
}

/**
 * Plays `rounds` turns of the default agent (its config, its tool catalogue, its system prompt), each with a title call,
 * against a model endpoint inside the process, so the first real turn finds LangChain loaded and the code of
 * every step compiled. Reads the agent's budget and prompt files; writes nothing, and never calls the
 * configured model. Throws 503 `llm_not_configured` when no model is configured (there is nothing to warm).
 */
export async function warmUpTurn(deps: WarmUpDeps, rounds = WARM_UP_ROUNDS): Promise<WarmUpResult> {
  const llm = resolveLlm(deps.llmSettings);
  await loadLangChainQuietly();
  using canned = startCannedModel();
  using agent = deps.agents.get(undefined).lease();
  const config = agent.config();
  await checkBudget(agent.storage.usage, config, deps.nowMs());
  const sessions = deps.sessions.of(agent);
  const tools = deps.tools.forRun({
    agentId: agent.id,
    agentRoot: agent.root,
    sessionId: 'warm-up',
    triggerType: 'chat',
    config,
    audit: agent.storage.toolAudit,
    sessions,
  });
  const local = { ...llm, baseUrl: canned.baseUrl, apiKey: 'warm-up' };
  const systemPrompt = deps.prompts.build(agent.root, config, { isFirstTurn: true, isFirstConversation: false });
  // The prompt of an agent's very first conversation (a new server's first turn) is cached too.
  deps.prompts.build(agent.root, config, { isFirstTurn: true, isFirstConversation: true });
  let events: ChatEvent[] = [];
  // A function run once is still interpreted the next time: a few rounds get the hot ones compiled.
  for (let round = 0; round < rounds; round++) {
    const turn = runAgentTurn({
      llm: local,
      llmSettings: deps.llmSettings,
      config,
      systemPrompt,
      history: [],
      message: 'Hello',
      // The canned reply calls no tool; were one called, it would be refused rather than run.
      tools: {
        offered: tools.offered,
        execute: async () => JSON.stringify({ ok: false, error: { code: 'E_WARM_UP', message: 'not run' } }),
      },
      agentId: agent.id,
      sessionId: 'warm-up',
      triggerType: 'chat',
      sleep: async () => undefined,
    });
    events = [];
    for await (const event of turn) events.push(event);
    await generateTitle(
      (messages) => invokeModel({ llm: local, model: local.model, runtime: config.llm_runtime }, messages),
      'Hello',
    );
  }
  await buildClients(deps, config, tools.offered);
  return { events, modelCalls: canned.calls };
}

/**
 * The default agent's first model's clients (its turn's and its title call's) and its agent graph for the default
 * agent's tools, built now rather than on the first turn (the warm-up's own are for the model inside the process).
 */
async function buildClients(deps: WarmUpDeps, config: RuntimeConfig, offered: OfferedTool[]): Promise<void> {
  const profile = deps.models.route(config).candidates[0];
  // On model workers the clients live there; they are built on the workers' first calls.
  if (!profile || modelWorkerPool()) return;
  const llm = llmOf(profile);
  const toolLoop = resolveToolLoopModel(llm.model, offered.length > 0, toolLoopSettings(profile, deps.llmSettings));
  const model = await sharedChatModel({ llm, model: toolLoop, runtime: config.llm_runtime, streaming: true });
  sharedAgentGraph(await loadLangChain(), model, offered);
  await sharedChatModel({ llm, model: llm.model, runtime: config.llm_runtime, streaming: false });
}

/** LangChain loaded where model calls run: in every model worker (this thread runs on meanwhile), else here piece by piece. */
async function loadLangChainQuietly(): Promise<void> {
  const pool = modelWorkerPool();
  if (pool) return pool.load();
  for (const load of LANGCHAIN_PIECES) {
    await load();
    await nextEventLoopTurn();
  }
}
