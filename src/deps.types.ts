// The composition root's shape: every part the server is built from (Deps) and what tests and benches may swap (DepsOverrides).
import type { AgentsService, FilesService } from './agents';
import type { ApprovalsService, ChatService, RunLedgerTimers, RunsService, TurnPriority, WarmUpResult } from './chat';
import type { ConfigService, EnvSettings, RuntimeConfigStore } from './config';
import type { Coordinator } from './coordination';
import type { AuthLockout, AuthLockoutSettings } from './http/auth-lockout';
import type { RateLimiter } from './http/rate-limit';
import type { Readiness } from './http/routes/health.routes';
import type { LlmService } from './llm';
import type { RetrievalService } from './retrieval';
import type { SchedulerService, Timers } from './scheduler';
import type { HostResolver, Sandbox } from './security';
import type { SessionsService } from './sessions';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import type { AgentStorage } from './storage/agent-storage';
import type { StorageBackend } from './storage/storage-backend';
import type { ToolDefinition, ToolsService } from './tools';
import type { UsageService } from './usage';

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
   * The first step of stopping: not ready, no new scheduled runs; resolves once the runs in flight (chat turns,
   * cron and heartbeat ticks) have ended and stored their replies. It sets no deadline: the caller races it.
   */
  drain(): Promise<void>;
  /**
   * Chat runs of this process still live end `interrupted` in storage (their replies so far kept, or as their
   * stored reply says) and are cancelled; resolves once that is written and the runs have ended, or `endMs` later.
   * The stop's step after the drain, while connections are open (a non-streamed turn then answers 503).
   */
  interruptLive(endMs: number): Promise<number>;
  /**
   * Stops in reverse order without waiting for runs (drain first for that): no new scheduled runs; chat runs
   * still live end as `interruptLive` makes them, not waited for; indexing stops, every agent's storage closes, and
   * the coordinator lets go. Idempotent.
   */
  close(): Promise<void>;
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
  /** Wraps each agent's storage ports as they are opened; tests put storage faults (a full disk) in between. */
  wrapAgentStorage?: (storage: AgentStorage, agentId: string) => AgentStorage;
  /** Orders opening turns before finished turns' leftovers; tests pass one with a longer longest wait. */
  turnPriority?: TurnPriority;
  /** When a run's final status storage refused is tried again (unref'd timers by default); tests fire them by hand. */
  runStatusTimers?: RunLedgerTimers;
}
