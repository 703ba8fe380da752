// Composition root: builds every stateful module from settings, and closes them in reverse order.
import { join } from 'node:path';
import { openAgentRegistry, type AgentRegistry } from './agents/agent-registry';
import type { FileChangeListener } from './agents/workspace-files';
import type { EnvSettings } from './config/env';
import { createRuntimeConfigStore, type RuntimeConfigStore } from './config/runtime-config';
import { createTracingControl, type TracingControl } from './config/tracing';
import { createChatService, type ChatService } from './chat/chat-service';
import { createPromptBuilder, type PromptBuilder } from './chat/prompt-builder';
import { createAuthLockout, type AuthLockout, type AuthLockoutSettings } from './http/auth-lockout';
import { createRateLimiter, type RateLimiter } from './http/rate-limit';
import type { Coordinator } from './coordination';
import { createMemoryCoordinator } from './coordination/memory/memory-coordinator';
import { createSchedulerManager, type SchedulerManager } from './scheduler/scheduler-manager';
import type { PreRunCheck } from './scheduler/pre-run-check';
import type { Timers } from './scheduler/wake-timer';
import { checkBudget } from './usage/budget';
import { createEmbeddingClient } from './retrieval/embedding-client';
import { createEmbeddingHealth } from './retrieval/embedding-health';
import { createRetrievalService, type RetrievalService } from './retrieval/retrieval-service';
import { createToolRegistry, type ToolDefinition, type ToolRegistry } from './tools/tool-registry';
import { removeStaleTemporaryFiles } from './shared/atomic-write';
import { createBuiltinTools } from './tools/builtin-tools';
import { createSandbox, type Sandbox } from './security/sandbox';
import type { HostResolver } from './security/url-guard';
import { systemClock, type Clock } from './shared/clock';
import { createLogger, type Logger } from './shared/logger';
import { createStorageProbe, type StorageProbe } from './shared/storage-probe';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Deps {
  settings: EnvSettings;
  clock: Clock;
  logger: Logger;
  configStore: RuntimeConfigStore;
  agents: AgentRegistry;
  /** Run locks, job claims and request buckets (in memory: one process). */
  coordinator: Coordinator;
  rateLimiter: RateLimiter;
  /** Failed bearer tokens per client: 10 a minute lock the client out for 5 minutes. */
  authLockout: AuthLockout;
  tracing: TracingControl;
  fileListeners: Set<FileChangeListener>;
  tools: ToolRegistry;
  prompts: PromptBuilder;
  chat: ChatService;
  /** Cron and heartbeat for every agent. */
  scheduler: SchedulerManager;
  /** Memory and knowledge search (also the chat's rag mode and the search tools' `RetrievalSearcher`). */
  retrieval: RetrievalService;
  /** False until storage is open, and again while shutting down. */
  state: { ready: boolean };
  /** The tool process sandbox (its probe verdict is part of readiness details). */
  sandbox: Sandbox;
  /** Whether the data folder takes writes now (readiness). */
  storage: StorageProbe;
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
  /** Failed-token lockout thresholds (10 a minute, 5 minutes by default). */
  authLockout?: AuthLockoutSettings;
  /** The tool process sandbox (bubblewrap from PATH by default). */
  sandbox?: Sandbox;
  /** DNS for fetch_url; tests map names to loopback. */
  resolver?: HostResolver;
  /** HTTP client for web search providers. */
  fetch?: typeof fetch;
  /** Waits between model retries; tests pass a faster one. */
  sleep?: (ms: number) => Promise<void>;
  /** The scheduler's timers (setTimeout by default); benchmarks count its wake-ups. */
  schedulerTimers?: Timers;
}

export function buildDeps(settings: EnvSettings, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(settings.logLevel);
  const dataDir = resolve(settings.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const leftovers = removeStaleTemporaryFiles(dataDir);
  if (leftovers > 0) logger.warn('removed temporary files left by an interrupted write', { count: leftovers });
  const configStore = createRuntimeConfigStore(dataDir, logger);
  const agents = openAgentRegistry({ dataDir, configStore, clock, logger, maxOpenAgents: settings.maxOpenAgents ?? undefined });
  const tracing = createTracingControl(overrides.env ?? process.env, overrides.envFilePath ?? join(process.cwd(), '.env'));
  const state = { ready: true };
  const coordinator = createMemoryCoordinator(clock);
  // Probed where agent folders live, so their path's permissions are the ones tried.
  const sandbox = overrides.sandbox ?? createSandbox({ identity: settings.sandboxIdentity, probeParent: join(dataDir, 'workspaces') });
  const sandboxStatus = sandbox.status();
  if (!sandboxStatus.available) {
    logger.warn(`terminal and python_repl are refused: ${sandboxStatus.reason} (tool_sandbox.mode off runs them unsandboxed)`);
  }
  const embeddingHealth = createEmbeddingHealth(createEmbeddingClient(settings.embedding, { sleep: overrides.sleep }), clock, logger);
  const retrieval = createRetrievalService({ agents, health: embeddingHealth, clock, logger });
  void retrieval.start();
  const toolDefinitions =
    overrides.toolDefinitions ?? createBuiltinTools({ retrieval, sandbox, env: overrides.env ?? process.env, resolver: overrides.resolver, fetch: overrides.fetch });
  const tools = createToolRegistry(toolDefinitions, { clock, logger, sandboxAvailable: () => sandbox.isAvailable() });
  const prompts = createPromptBuilder();
  const chat = createChatService({ agents, llmSettings: settings.llm, tools, prompts, clock, logger, sleep: overrides.sleep, retrieval });
  // A scheduled run at a blocking budget cap is recorded as `skipped_budget` without calling the model.
  const budgetGate: PreRunCheck = ({ agent }) => {
    const budget = checkBudget(agent.db, agent.config(), clock.nowMs());
    return budget.state === 'block' ? { allowed: false, status: 'skipped_budget', reason: budget.message } : { allowed: true };
  };
  const scheduler = createSchedulerManager({ agents, chat, configStore, clock, logger, timers: overrides.schedulerTimers, preRunCheck: budgetGate });
  scheduler.start();
  return {
    settings: { ...settings, dataDir },
    clock,
    logger,
    configStore,
    agents,
    coordinator,
    rateLimiter: createRateLimiter(settings.rateLimit, coordinator),
    authLockout: createAuthLockout(coordinator, overrides.authLockout),
    tracing,
    fileListeners: new Set([retrieval.onFileChanged]),
    tools,
    prompts,
    chat,
    scheduler,
    retrieval,
    state,
    sandbox,
    // Monotonic time, not the injected clock: a test's frozen clock must not freeze readiness.
    storage: createStorageProbe({ dataDir, nowMs: () => performance.now() }),
    close() {
      state.ready = false;
      scheduler.close();
      retrieval.close();
      agents.close();
      void coordinator.close();
    },
  };
}
