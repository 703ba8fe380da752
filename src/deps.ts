// Composition root: buildDeps constructs every adapter and service; start() runs the side effects; close() undoes them in reverse.
import { join, resolve } from 'node:path';
import { createAgentRegistry, createAgentsService, createFilesService } from './agents';
import {
  countTokensYielding,
  createChatService,
  createPromptBuilder,
  createRunLedger,
  createRunRegistry,
  createRunsService,
  createSessionRuns,
  createReplicaWatch,
  createApprovalsService,
  warmUpTurn,
  createSessionAssistant,
  configureModelWorkers,
} from './chat';
import { createConfigService, createRuntimeConfigStore, createTracingControl, type EnvSettings } from './config';
import { createMemoryCoordinator } from './coordination/memory/memory-coordinator';
import { createAuthLockout } from './http/auth-lockout';
import { createRateLimiter } from './http/rate-limit';
import { createSandbox } from './security';
import { createSessionsService } from './sessions';
import { systemClock } from './shared/clock';
import { createLogger } from './shared/logger';
import { createLlmService } from './llm';
import type { AgentStorage } from './storage/agent-storage';
import { createPostgresBackend } from './storage/postgres/postgres-backend';
import { createSqliteBackend } from './storage/sqlite/sqlite-backend';
import type { StorageBackend } from './storage/storage-backend';
import { createBuiltinTools, createToolsService, type TriggerType } from './tools';
import { createUsageService } from './usage';
import { type LifecycleParts, partsStopper, startParts } from './deps-lifecycle';
import { createTemporarySweeper } from './shared/temporary-sweep';
import { buildReadiness } from './deps-readiness';
import { buildRetrieval } from './deps-retrieval';
import { buildScheduler } from './deps-scheduler';
import type { Deps, DepsOverrides } from './deps.types';

export type { Deps, DepsOverrides };

/** Constructs every part from settings; touches no file, starts nothing (see `start`). */
export function buildDeps(settings: EnvSettings, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(settings.logLevel);
  const env = overrides.env ?? process.env;
  const dataDir = resolve(settings.dataDir);
  // LangChain's side of model calls runs on this many worker threads (started on first use), or here with 0.
  configureModelWorkers(settings.modelWorkers, logger);
  const storage: StorageBackend = settings.database.url
    ? createPostgresBackend({
        url: settings.database.url,
        poolSize: settings.database.poolSize,
        clock,
        logger,
        leaseMs: settings.database.leaseSeconds * 1000,
      })
    : createSqliteBackend({ clock, logger, dataDir });
  const coordinator = overrides.coordinator ?? storage.coordinator ?? createMemoryCoordinator(clock);
  const configStore = createRuntimeConfigStore(dataDir, logger);
  const envFile = overrides.envFilePath ?? join(process.cwd(), '.env');
  const tracing = createTracingControl(env, envFile);
  const registry = createAgentRegistry({
    dataDir,
    configStore,
    openStorage: overrides.wrapAgentStorage
      ? (id, root) => overrides.wrapAgentStorage!(storage.openStorage(id, root), id)
      : storage.openStorage,
    clock,
    logger,
    maxOpenAgents: settings.maxOpenAgents ?? undefined,
    sharedFolder: storage.kind === 'postgres',
  });
  const agents = createAgentsService({
    registry,
    sessionCounts: (agentStorage) => agentStorage.sessions.counts(),
    coordinator,
    // SQLite rows go with the agent's folder; rows in a shared database are removed here.
    forgetRows: (agentId) => storage.forgetAgent(agentId),
    // Other replicas end the agent's runs within a look; a dead one's locks lapse within a lease.
    runLocksWaitMs: storage.kind === 'postgres' ? settings.database.leaseSeconds * 2000 + 5000 : null,
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
  const retrieval = buildRetrieval({
    settings,
    dataDir,
    env,
    configStore,
    storage,
    agents,
    clock,
    logger,
    sleep: overrides.sleep,
  });
  const files = createFilesService({ agents, listeners: [retrieval.onFileChanged], countTokens: countTokensYielding });
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
  const tools = createToolsService(toolDefinitions, {
    clock,
    logger,
    sandboxAvailable: () => sandbox.isAvailable(),
    sandboxProbed: () => sandbox.probed(),
    sandboxRetryReason: () => sandbox.retryReason(),
  });
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
  // Run rows: a final status storage refused (a full disk) is retried until it lands; cancel says so meanwhile.
  const runLedger = createRunLedger({ clock, logger, timers: overrides.runStatusTimers });
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
    ledger: runLedger,
  });
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
        noticeDeletions: () => registry.noticeDeletions(),
      })
    : null;
  const scheduler = buildScheduler({
    agents,
    sessions,
    chat,
    configStore,
    coordinator,
    clock,
    logger,
    timers: overrides.schedulerTimers,
    sharedPollMs,
    sharedWork: storage.schedulerWork?.bind(storage),
  });
  const state = { ready: false };
  const lifecycle: LifecycleParts = {
    logger,
    storage,
    configStore,
    agents,
    sandbox,
    retrieval,
    scheduler,
    chat,
    coordinator,
    state,
    dataDir,
    indexDir: settings.indexDir,
    replicaWatch,
    runLedger,
    ownsCoordinator: !overrides.coordinator,
    temporaries: createTemporarySweeper(dataDir, logger),
  };
  const { drain, interruptLive, close } = partsStopper(lifecycle);
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
    runs: createRunsService({ agents, registry: runs, remote: replicaWatch?.remoteCancel, ledger: runLedger }),
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
    readiness: buildReadiness({ dataDir, state, storage, sandbox, llm, configStore }),
    start: () => startParts(lifecycle),
    drain,
    interruptLive,
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}
