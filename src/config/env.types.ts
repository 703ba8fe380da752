// The typed settings the environment gives (read by env.ts), and their defaults.
import type { IpRange } from '../shared/ip-address';
import type { LogLevel } from '../shared/logger';

export type EmbeddingProvider = 'openai' | 'google_ai_studio' | 'none';

export interface RateLimitSettings {
  enabled: boolean;
  /** Requests per window for each route family. */
  chat: number;
  tokens: number;
  files: number;
  windowSeconds: number;
}

/** Rejoin streams (`GET /api/runs/{run_id}/events`) open at once; past either, the next is refused with 429. */
export interface RejoinStreamLimits {
  /** On one run (APP_MAX_REJOIN_STREAMS_PER_RUN, default 32). */
  perRun: number;
  /** On the whole server (APP_MAX_REJOIN_STREAMS, default 1,000). */
  total: number;
}

export interface LlmSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Names of the variables that were read, for error messages. */
  source: 'LLM' | 'DEEPSEEK' | 'none';
  toolLoopModel: string;
  toolLoopModelOverrides: string;
}

export interface EmbeddingSettings {
  provider: EmbeddingProvider;
  baseUrl: string;
  apiKey: string;
  model: string;
  googleApiKey: string;
  googleModel: string;
}

export interface TracingEnv {
  obsTracingEnabled: string | undefined;
  langsmithTracing: string | undefined;
  langchainTracingV2: string | undefined;
  langsmithProject: string;
}

export interface DatabaseSettings {
  /**
   * PostgreSQL for several replicas (APP_DATABASE_URL, --database-url); null keeps per-agent SQLite files.
   * Holds the password: never log it; show `maskDatabaseUrl(url)` instead.
   */
  url: string | null;
  /** Most connections one server process opens (APP_DATABASE_POOL_SIZE, default 10). */
  poolSize: number;
  /**
   * Seconds a replica's locks (a run in progress, a claimed job) outlive its last renewal
   * (APP_DATABASE_LEASE_SECONDS, default 15): how long after a replica dies its runs count as interrupted.
   */
  leaseSeconds: number;
}

export interface EnvSettings {
  host: string;
  port: number;
  dataDir: string;
  allowedOrigins: string[];
  trustedHosts: string[];
  /** Peers whose `X-Forwarded-For` / `Forwarded` headers name the client (`APP_TRUSTED_PROXIES`); empty trusts none. */
  trustedProxies: IpRange[];
  logLevel: LogLevel;
  apiToken: string;
  /** Agents whose databases may stay open at once (APP_MAX_OPEN_AGENTS); null derives it from the open-file limit. */
  maxOpenAgents: number | null;
  /**
   * Where each agent's retrieval index lives with a shared database (APP_INDEX_DIR): a folder of this
   * replica's own, since the index is derived and SQLite must not be shared over a network volume. Null:
   * beside the agent (storage/retrieval.db), or with a database a folder named after the host in the temp folder.
   */
  indexDir: string | null;
  rateLimit: RateLimitSettings;
  rejoinStreams: RejoinStreamLimits;
  /** After listening, warm the turn's code paths once in the background when a model is configured (APP_WARM_START). */
  warmStart: boolean;
  /** Threads that run LangChain's side of model calls (APP_MODEL_WORKERS); 0 runs it on the server thread. */
  modelWorkers: number;
  database: DatabaseSettings;
  llm: LlmSettings;
  embedding: EmbeddingSettings;
  tracing: TracingEnv;
  /** The unprivileged identity of sandboxed tool processes (their host identity when the server runs as root). */
  sandboxIdentity: { uid: number; gid: number };
}

export const DEFAULT_ALLOWED_ORIGINS = ['http://localhost:3000', 'http://127.0.0.1:3000'];
export const DEFAULT_TRUSTED_HOSTS = ['localhost', '127.0.0.1', '*.localhost'];
export const DEFAULT_DATABASE_POOL_SIZE = 10;
export const DEFAULT_DATABASE_LEASE_SECONDS = 15;
