// Composition root: buildDeps constructs every adapter and service; start() runs the side effects; close() undoes them in reverse.
import { mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  createAgentRegistry,
  createAgentsService,
  createFilesService,
  type AgentsService,
  type FilesService,
} from './agents';
import {
  countTokens,
  createChatService,
  createPromptBuilder,
  createRunRegistry,
  createRunsService,
  createSessionRuns,
  createReplicaWatch,
  createApprovalsService,
  type ApprovalsService,
  type TurnPriority,
  type WarmUpResult,
  warmUpTurn,
  createSessionAssistant,
  configureModelWorkers,
  type ChatService,
  type RunsService,
} from './chat';
import {
  createConfigService,
  createRuntimeConfigStore,
  createTracingControl,
  type ConfigService,
  type EnvSettings,
  type RuntimeConfigStore,
} from './config';
import type { Coordinator } from './coordination';
import { createMemoryCoordinator } from './coordination/memory/memory-coordinator';
import { createAuthLockout, type AuthLockout, type AuthLockoutSettings } from './http/auth-lockout';
import { createRateLimiter, type RateLimiter } from './http/rate-limit';
import {
  createEmbeddingHealth,
  createRoutedEmbeddingClient,
  createRetrievalService,
  withSharedEmbeddingCache,
  type RetrievalService,
} from './retrieval';
import { openSqliteIndex } from './retrieval/sqlite/open-index';
import {
  createSchedulerManager,
  createSchedulerService,
  type PreRunCheck,
  type SchedulerService,
  type Timers,
} from './scheduler';
import { createSandbox, type HostResolver, type Sandbox } from './security';
import { createSessionsService, type SessionsService } from './sessions';
import { removeStaleTemporaryFiles } from './shared/atomic-write';
import { systemClock, type Clock } from './shared/clock';
import { createLogger, type Logger } from './shared/logger';
import { createStorageProbe } from './shared/storage-probe';
import type { Readiness } from './http/routes/health.routes';
import { createBreakerBoard, createLlmService, type LlmService } from './llm';
import type { AgentStorage } from './storage/agent-storage';
import { createPostgresBackend } from './storage/postgres/postgres-backend';
import { createSqliteBackend } from './storage/sqlite/sqlite-backend';
import type { StorageBackend } from './storage/storage-backend';
import {
  createBuiltinTools,
  createToolsService,
  type ToolDefinition,
  type ToolsService,
  type TriggerType,
} from './tools';
import { checkBudget, createUsageService, type UsageService } from './usage';

export interface Deps {
  settings: EnvSettings;
  clock: Clock;
  logger: Logger;
  /** Run locks, job claims and request buckets (in memory: one process; in PostgreSQL: every replica). */
  coordinator: Coordinator;
  /** Where agents' rows live: per-agent SQLite files, or the shared PostgreSQL database (`settings.database.url`). */
  storage: StorageBackend;
  configStore: RuntimeConfigStore;
  /** Runtime config, rag mode and tracing at the edge. */
  config: ConfigService;
  agents: AgentsService<AgentStorage>;
  files: FilesService;
  sessions: SessionsService;
  tools: ToolsService;
  chat: ChatService;
  /** Runs as resources: look up, list, cancel, rejoin. */
  runs: RunsService;
  /** Tool calls waiting for a decision (tool_approvals). */
  approvals: ApprovalsService;
  /** One turn of the default agent against a model inside the process: the turn's code paths, warmed (see warm-start.ts). */
  warmUp(): Promise<WarmUpResult>;
  /** Cron and heartbeat for every agent. */
  scheduler: SchedulerService;
  /** The usage ledger of every agent. */
  usage: UsageService;
  /** Provider profiles, each agent's model route, the profiles' circuit breakers. */
  llm: LlmService;
  /** Memory and knowledge search (also the chat's rag mode and the search tools' `RetrievalSearcher`). */
  retrieval: RetrievalService;
  rateLimiter: RateLimiter;
  /** Failed bearer tokens per client: 10 a minute lock the client out for 5 minutes. */
  authLockout: AuthLockout;
  /** False until `start()` has finished, and again from the first step of stopping. */
  state: { ready: boolean };
  /** The tool process sandbox (its probe verdict is part of readiness details). */
  sandbox: Sandbox;
  /** What /api/ready reports: `state`, whether the data folder takes writes now, the sandbox's verdict. */
  readiness: Readiness;
  /**
   * The side effects, in order: the data folder (and its leftover temporaries swept), the global config,
   * the agent folders, the sandbox probe and its warning, the first index pass (in the background) and
   * the scheduler (interrupted runs recovered first). Throws what stops the server from starting.
   */
  start(): Promise<void>;
  /**
   * Stops in reverse order: no new scheduled runs; runs in flight get up to `drainMs` to store their
   * replies; then indexing stops, every agent's storage closes, and the coordinator lets go. Idempotent.
   */
  close(options?: { drainMs?: number }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
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
  /** Locks and buckets shared with other servers (the caller closes it); by default the storage's own, or a private in-memory one. */
  coordinator?: Coordinator;
  /** Events kept per run for rejoining (5000) and how long a finished run stays replayable (10 minutes). */
  runReplay?: { bufferLimit?: number; retentionMs?: number };
  /** Orders opening turns before finished turns' leftovers; tests pass one with a longer longest wait. */
  turnPriority?: TurnPriority;
}

/** Constructs every part from settings; touches no file, starts nothing (see `start`). */
export function buildDeps(settings: EnvSettings, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(settings.logLevel);
  const env = overrides.env ?? process.env;
  const dataDir = resolve(settings.dataDir);
  // LangChain's side of model calls runs on this many worker threads (started on first use), or here with 0.
  configureModelWorkers(settings.modelWorkers);
  const storage: StorageBackend = settings.database.url
    ? createPostgresBackend({
        url: settings.database.url,
        poolSize: settings.database.poolSize,
        clock,
        logger,
        leaseMs: settings.database.leaseSeconds * 1000,
      })
    : createSqliteBackend({ clock, logger });
  const coordinator = overrides.coordinator ?? storage.coordinator ?? createMemoryCoordinator(clock);
  const configStore = createRuntimeConfigStore(dataDir, logger);
  const envFile = overrides.envFilePath ?? join(process.cwd(), '.env');
  const tracing = createTracingControl(env, envFile);
  const registry = createAgentRegistry({
    dataDir,
    configStore,
    openStorage: storage.openStorage,
    clock,
    logger,
    maxOpenAgents: settings.maxOpenAgents ?? undefined,
  });
  const agents = createAgentsService({
    registry,
    sessionCounts: (agentStorage) => agentStorage.sessions.counts(),
    coordinator,
    // SQLite rows go with the agent's folder; rows in a shared database are removed here.
    forgetRows: (agentId) => storage.forgetAgent(agentId),
    logger,
  });
  // Probed (on first use) where agent folders live, so their path's permissions are the ones tried.
  const sandbox =
    overrides.sandbox ??
    createSandbox({
      identity: settings.sandboxIdentity,
      probeParent: join(dataDir, 'workspaces'),
      hidden: [dataDir, envFile],
    });
  const embeddingClient = createRoutedEmbeddingClient({
    settings: settings.embedding,
    env,
    config: () => configStore.global(),
    breakers: createBreakerBoard(clock, () => configStore.global().llm_breaker),
    options: { sleep: overrides.sleep },
  });
  const embeddingHealth = createEmbeddingHealth(
    // With replicas, a text one of them embedded is read from the shared cache, not embedded again.
    storage.embeddingCache
      ? withSharedEmbeddingCache(embeddingClient, storage.embeddingCache, logger)
      : embeddingClient,
    clock,
    logger,
  );
  // With a shared database the agent folders sit on a network volume; the derived index stays on this replica.
  const indexDir =
    settings.indexDir ?? (storage.kind === 'postgres' ? join(tmpdir(), `mini-openclaw-index-${hostname()}`) : null);
  const workspacesDir = join(dataDir, 'workspaces');
  const retrieval = createRetrievalService({
    agents,
    openIndex: indexDir
      ? (engine, path, identity) =>
          openSqliteIndex(engine, join(resolve(indexDir), relative(workspacesDir, path)), identity)
      : openSqliteIndex,
    health: embeddingHealth,
    clock,
    logger,
  });
  const files = createFilesService({ agents, listeners: [retrieval.onFileChanged], countTokens });
  const toolDefinitions =
    overrides.toolDefinitions ??
    createBuiltinTools({
      retrieval,
      sandbox,
      env,
      serverApiOpen: !settings.apiToken,
      resolver: overrides.resolver,
      fetch: overrides.fetch,
    });
  const tools = createToolsService(toolDefinitions, { clock, logger, sandboxAvailable: () => sandbox.isAvailable() });
  const prompts = createPromptBuilder();
  const runs = createRunRegistry(coordinator, overrides.runReplay);
  const llm = createLlmService({
    settings: settings.llm,
    env,
    clock,
    configStore,
    agentConfig: (agentId) => agents.get(agentId).config(),
    agentRoots: () => agents.ids().map((id) => agents.get(id).root),
  });
  const assistant = createSessionAssistant<AgentStorage>({ models: llm, prompts, clock });
  // Deleting a session cancels its run first, on whichever replica runs it (`replicaWatch` is built below).
  const sessionRuns = createSessionRuns({ registry: runs, agents, remote: () => replicaWatch?.remoteCancel });
  const sessions = createSessionsService({ agents, assistant, runs: sessionRuns });
  // Other replicas change jobs and agents and may die mid-run: with a shared database, look a few times per lease.
  const sharedPollMs =
    storage.kind === 'postgres' ? Math.min(2000, Math.max(250, (settings.database.leaseSeconds * 1000) / 3)) : null;
  const approvals = createApprovalsService({
    agents,
    clock,
    logger,
    sharedPollMs,
    toolSchema: (agent, approval) =>
      tools.approvalFor(approval.tool, approval.trigger as TriggerType, agent.config())?.schema ?? null,
  });
  const chat = createChatService({
    approvals,
    agents,
    sessions,
    runs,
    llmSettings: settings.llm,
    llm,
    tools,
    prompts,
    clock,
    logger,
    sleep: overrides.sleep,
    retrieval,
    priority: overrides.turnPriority,
  });
  // A scheduled run at a blocking budget cap is recorded as `skipped_budget` without calling the model.
  const budgetGate: PreRunCheck = async ({ agent }) => {
    const budget = await checkBudget(agent.storage.usage, agent.config(), clock.nowMs());
    return budget.state === 'block'
      ? { allowed: false, status: 'skipped_budget', reason: budget.message }
      : { allowed: true };
  };
  // Dead replicas' runs, and cancels asked on one replica for a run another runs.
  const replicaWatch = sharedPollMs
    ? createReplicaWatch({
        agents: registry,
        coordinator,
        runs,
        logger,
        nowMs: () => clock.nowMs(),
        everyMs: sharedPollMs,
        leaseSeconds: settings.database.leaseSeconds,
        resumePaused: () => chat.resumePaused(),
      })
    : null;
  const manager = createSchedulerManager({
    agents,
    sessions,
    chat,
    configStore,
    coordinator,
    clock,
    logger,
    timers: overrides.schedulerTimers,
    preRunCheck: budgetGate,
    sharedPollMs,
    sharedWork: storage.schedulerWork?.bind(storage),
  });
  const scheduler = createSchedulerService({ agents, manager, configStore });
  const state = { ready: false };
  // Monotonic time, not the injected clock: a test's frozen clock must not freeze readiness.
  const storageProbe = createStorageProbe({ dataDir, nowMs: () => performance.now() });
  let closing: Promise<void> | null = null;

  const close = (options: { drainMs?: number } = {}) =>
    (closing ??= (async () => {
      state.ready = false;
      replicaWatch?.stop();
      scheduler.close();
      if (options.drainMs)
        await Promise.race([Promise.all([chat.drain(), scheduler.drain()]), Bun.sleep(options.drainMs)]);
      retrieval.close();
      agents.close();
      if (!overrides.coordinator) await coordinator.close();
      await storage.close();
    })());

  return {
    settings: { ...settings, dataDir },
    clock,
    logger,
    coordinator,
    storage,
    configStore,
    config: createConfigService({ agents, store: configStore, tracing }),
    agents,
    files,
    sessions,
    tools,
    chat,
    runs: createRunsService({ agents, registry: runs, remote: replicaWatch?.remoteCancel }),
    approvals,
    warmUp: () =>
      warmUpTurn({
        agents,
        sessions,
        tools,
        prompts,
        llmSettings: settings.llm,
        models: llm,
        nowMs: () => clock.nowMs(),
      }),
    scheduler,
    usage: createUsageService({ agents, clock }),
    llm,
    retrieval,
    rateLimiter: createRateLimiter(settings.rateLimit, coordinator),
    authLockout: createAuthLockout(coordinator, overrides.authLockout),
    state,
    sandbox,
    readiness: {
      isReady: () => state.ready,
      // The data folder first (workspaces live there in both modes), then the shared database if there is one.
      storage: async () => {
        const folder = storageProbe.check();
        if (!folder.writable) return folder;
        return (await storage.health()) ?? folder;
      },
      sandbox: () => sandbox.status(),
      llm: () => llm.status(configStore.global()),
    },
    async start() {
      await storage.start();
      mkdirSync(dataDir, { recursive: true });
      const leftovers = removeStaleTemporaryFiles(dataDir);
      if (leftovers > 0) logger.warn('removed temporary files left by an interrupted write', { count: leftovers });
      configStore.start();
      agents.start();
      const sandboxStatus = sandbox.status();
      if (!sandboxStatus.available) {
        logger.warn(
          `terminal and python_repl are refused: ${sandboxStatus.reason} (tool_sandbox.mode off runs them unsandboxed)`,
        );
      }
      void retrieval.start();
      await scheduler.start();
      // Runs paused for approvals before a restart take their sessions again before the server is ready (a
      // decision may come at once) and before queued messages could; those then run, in the background.
      const paused = await chat.resumePaused();
      if (paused > 0) logger.info('runs paused for approvals restored', { runs: paused });
      void chat.resumeQueued();
      replicaWatch?.start();
      state.ready = true;
    },
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}
