// Composition root: builds every stateful module from settings, and closes them in reverse order.
import { join } from 'node:path';
import { openAgentRegistry, type AgentRegistry } from './agents/agent-registry';
import type { FileChangeListener } from './agents/workspace-files';
import type { EnvSettings } from './config/env';
import { createRuntimeConfigStore, type RuntimeConfigStore } from './config/runtime-config';
import { createTracingControl, type TracingControl } from './config/tracing';
import { createChatService, type ChatService } from './chat/chat-service';
import { createPromptBuilder, type PromptBuilder } from './chat/prompt-builder';
import { createRateLimiter, type RateLimiter } from './http/rate-limit';
import { createEmbeddingClient } from './retrieval/embedding-client';
import { createEmbeddingHealth } from './retrieval/embedding-health';
import { createRetrievalService, type RetrievalService } from './retrieval/retrieval-service';
import { createToolRegistry, type ToolDefinition, type ToolRegistry } from './tools/tool-registry';
import { systemClock, type Clock } from './shared/clock';
import { createLogger, type Logger } from './shared/logger';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Deps {
  settings: EnvSettings;
  clock: Clock;
  logger: Logger;
  configStore: RuntimeConfigStore;
  agents: AgentRegistry;
  rateLimiter: RateLimiter;
  tracing: TracingControl;
  fileListeners: Set<FileChangeListener>;
  tools: ToolRegistry;
  prompts: PromptBuilder;
  chat: ChatService;
  /** Memory and knowledge search (also the chat's rag mode and the search tools' `RetrievalSearcher`). */
  retrieval: RetrievalService;
  /** False until storage is open, and again while shutting down. */
  state: { ready: boolean };
  close(): void;
}

export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Environment the tracing switch reads and updates; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Where the tracing switch persists; defaults to `.env` in the working folder. */
  envFilePath?: string;
  /** Tools offered to agents (the built-in catalogue by default). */
  toolDefinitions?: readonly ToolDefinition[];
  /** Waits between model retries; tests pass a faster one. */
  sleep?: (ms: number) => Promise<void>;
}

export function buildDeps(settings: EnvSettings, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(settings.logLevel);
  const dataDir = resolve(settings.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const configStore = createRuntimeConfigStore(dataDir, logger);
  const agents = openAgentRegistry({ dataDir, configStore, clock, logger });
  const tracing = createTracingControl(overrides.env ?? process.env, overrides.envFilePath ?? join(process.cwd(), '.env'));
  const state = { ready: true };
  const tools = createToolRegistry(overrides.toolDefinitions ?? []);
  const prompts = createPromptBuilder();
  const embeddingHealth = createEmbeddingHealth(createEmbeddingClient(settings.embedding, { sleep: overrides.sleep }), clock, logger);
  const retrieval = createRetrievalService({ agents, health: embeddingHealth, clock, logger });
  void retrieval.start();
  const chat = createChatService({ agents, llmSettings: settings.llm, tools, prompts, clock, logger, sleep: overrides.sleep, retrieval });
  return {
    settings: { ...settings, dataDir },
    clock,
    logger,
    configStore,
    agents,
    rateLimiter: createRateLimiter(settings.rateLimit, clock),
    tracing,
    fileListeners: new Set([retrieval.onFileChanged]),
    tools,
    prompts,
    chat,
    retrieval,
    state,
    close() {
      state.ready = false;
      retrieval.close();
      agents.close();
    },
  };
}
