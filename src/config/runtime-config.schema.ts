// The runtime configuration: every key, its type, bounds and default, as one strict zod schema.
import { z } from 'zod';
import {
  embeddingProfilesSchema,
  llmBreakerSchema,
  llmProfilesSchema,
  llmRouteProblems,
  llmRouteSchema,
} from './llm-config.schema';
import { envName } from './env-name.schema';
import { modelPriceSchema } from './model-price.schema';
import { indexFileProblem, normalizeStoragePath, storagePathProblem } from './storage-paths';
import { UTC_ZONE } from '../shared/zone-fields';

export { modelPriceSchema, type ModelPrice } from './model-price.schema';

const int = (min: number, max = 1_000_000_000) => z.number().int().min(min).max(max);
const float = (min: number, max: number) => z.number().min(min).max(max);
/** Every tool name and alias of the built-in catalogue (src/tools/builtin-tools.ts; a test keeps the two equal). */
export const KNOWN_TOOL_NAMES = [
  'terminal',
  'exec',
  'python_repl',
  'fetch_url',
  'web_fetch',
  'web_search',
  'read_file',
  'read',
  'read_files',
  'apply_patch',
  'search_knowledge_base',
  'search_memory',
  'sessions_list',
  'session_history',
] as const;

/** A policy list of tool names: case and spaces do not matter, an unknown name is an error (it would block nothing). */
const toolList = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((name) => (KNOWN_TOOL_NAMES as readonly string[]).includes(name), {
        message: `Unknown tool; known tools: ${KNOWN_TOOL_NAMES.join(', ')}`,
      }),
  )
  .max(200)
  .transform((items) => [...new Set(items)]);

/** Tool names (as `toolList`) or permission levels `L0`..`L3` (upper-cased). */
const approvalList = z
  .array(
    z
      .string()
      .trim()
      .transform((entry) => (/^l[0-3]$/i.test(entry) ? entry.toUpperCase() : entry.toLowerCase()))
      .refine((entry) => /^L[0-3]$/.test(entry) || (KNOWN_TOOL_NAMES as readonly string[]).includes(entry), {
        message: `Unknown tool or level; use L0..L3 or one of: ${KNOWN_TOOL_NAMES.join(', ')}`,
      }),
  )
  .max(200)
  .transform((items) => [...new Set(items)]);

export const DEFAULT_CRON_TOOLS = [
  'web_search',
  'web_fetch',
  'fetch_url',
  'read',
  'read_file',
  'read_files',
  'search_knowledge_base',
];
/** Heartbeat runs get the read-only (L0) tools unless the operator lists others. */
export const DEFAULT_HEARTBEAT_TOOLS = ['read', 'read_file', 'read_files', 'search_knowledge_base', 'search_memory'];

/** An IANA time zone name that this runtime knows. */
export const timeZoneName = z
  .string()
  .trim()
  .min(1)
  .refine((zone) => isKnownTimeZone(zone), { message: 'Unknown IANA time zone' });

export function isKnownTimeZone(zone: string): boolean {
  // The default zone is known to every runtime; asking Intl would load its zone data at start (see zone-fields.ts).
  if (zone === UTC_ZONE) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    // Intl throws a RangeError for a zone it does not know: that is the answer.
    return false;
  }
}

/** A file in the agent's storage/ folder, normalised to `storage/<name>` (rules in storage-paths.ts). */
const storageFilePath = z
  .string()
  .trim()
  .min(1)
  .max(1024)
  .superRefine((value, context) => {
    const problem = storagePathProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .transform(normalizeStoragePath);

const retrievalDomain = (chunkSize: number, chunkOverlap: number) =>
  z
    .object({
      top_k: int(1, 100).default(3),
      semantic_weight: float(0, 1).default(0.7),
      lexical_weight: float(0, 1).default(0.3),
      chunk_size: int(64, 20_000).default(chunkSize),
      chunk_overlap: int(0, 10_000).default(chunkOverlap),
    })
    .strict()
    .superRefine((value, context) => {
      if (value.chunk_overlap >= value.chunk_size) {
        context.addIssue({
          code: 'custom',
          path: ['chunk_overlap'],
          message: 'chunk_overlap must be smaller than chunk_size',
        });
      }
    });

const usdCap = z.number().min(0).max(1_000_000_000).nullable();

export const runtimeConfigSchema = z
  .object({
    rag_mode: z.boolean().default(false),
    injection_mode: z.enum(['every_turn', 'first_turn_only']).default('every_turn'),
    bootstrap_max_chars: int(100, 10_000_000).default(20_000),
    bootstrap_total_max_chars: int(100, 100_000_000).default(150_000),
    agent_runtime: z
      .object({ max_steps: int(1, 1000).default(20), max_retries: int(0, 10).default(1) })
      .strict()
      .prefault({}),
    llm_runtime: z
      .object({ temperature: float(0, 2).default(0.2), timeout_seconds: int(5, 3600).default(60) })
      .strict()
      .prefault({}),
    retrieval: z
      .object({
        memory: retrievalDomain(256, 32).prefault({}),
        knowledge: retrievalDomain(400, 80).prefault({}),
        storage: z
          .object({
            engine: z.enum(['sqlite', 'json']).default('sqlite'),
            db_path: storageFilePath.default('storage/retrieval.db'),
            fts_prefilter_k: int(1, 10_000).default(50),
          })
          .strict()
          .superRefine((value, context) => {
            const problem = indexFileProblem(value.engine, value.db_path);
            if (problem) context.addIssue({ code: 'custom', path: ['db_path'], message: problem });
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    tool_retry_guard: z
      .object({ repeat_identical_failure_limit: int(1, 100).default(2) })
      .strict()
      .prefault({}),
    tool_network: z
      .object({
        allow_http_schemes: z
          .array(z.enum(['http', 'https']))
          .min(1)
          .default(['http', 'https']),
        block_private_networks: z.boolean().default(true),
        /** Host names fetch_url may reach although they resolve to private addresses (an intranet wiki); redirects are checked again. */
        allow_private_hosts: z.array(z.string().trim().toLowerCase().min(1).max(253)).max(100).default([]),
        max_redirects: int(0, 20).default(3),
        max_content_bytes: int(1024, 100_000_000).default(2_000_000),
      })
      .strict()
      .prefault({}),
    tool_timeouts: z
      .object({
        terminal_seconds: int(1, 3600).default(30),
        python_repl_seconds: int(1, 3600).default(30),
        fetch_url_seconds: int(1, 600).default(15),
      })
      .strict()
      .prefault({}),
    tool_output_limits: z
      .object({
        terminal_chars: int(100, 10_000_000).default(5000),
        fetch_url_chars: int(100, 10_000_000).default(5000),
        read_file_chars: int(100, 10_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    autonomous_tools: z
      .object({
        heartbeat_enabled_tools: toolList.default(DEFAULT_HEARTBEAT_TOOLS),
        cron_enabled_tools: toolList.default(DEFAULT_CRON_TOOLS),
        chat_blocked_tools: toolList.default([]),
      })
      .strict()
      .prefault({}),
    tool_sandbox: z
      .object({
        /** `auto` and `required`: sandboxed, or refused where no sandbox can start; `off`: never sandboxed. */
        mode: z.enum(['auto', 'required', 'off']).default('auto'),
        allow_network: z.boolean().default(false),
        /** Processes (and threads) one call may have at once (RLIMIT_NPROC). */
        max_processes: int(8, 65_536).default(256),
        /** Address space of each process (RLIMIT_AS). */
        max_memory_mb: int(64, 1_048_576).default(1024),
        /** Largest file a process may write (RLIMIT_FSIZE). */
        max_file_size_mb: int(1, 1_048_576).default(256),
        /** CPU time of each process (RLIMIT_CPU). */
        max_cpu_seconds: int(1, 86_400).default(120),
        /** Size of the private /tmp (memory-backed). */
        tmp_size_mb: int(1, 65_536).default(64),
        /** Past this much stdout + stderr in one call the process group is killed (the result keeps head and tail). */
        max_output_mb: int(1, 16_384).default(64),
      })
      .strict()
      .prefault({}),
    tool_approvals: z
      .object({
        /** Tools (names or aliases, naming their family) or permission levels (`L0`..`L3`) that wait for a decision, per trigger. */
        chat: approvalList.default([]),
        cron: approvalList.default([]),
        heartbeat: approvalList.default([]),
        /** A pending approval is rejected (expired) after this long. */
        timeout_seconds: int(1, 30 * 86_400).default(86_400),
        /**
         * Calls of one agent waiting for a decision in this process at once; past it a call is refused at once
         * (its run goes on) rather than paused: each paused run stays in memory until decided or timed out.
         */
        max_pending: int(1, 10_000).default(100),
      })
      .strict()
      .prefault({}),
    tool_web_search: z
      .object({
        provider: z.enum(['duckduckgo_html', 'searxng', 'brave', 'tavily']).default('duckduckgo_html'),
        /** Overrides the provider's endpoint (required for searxng). */
        base_url: z
          .url({ protocol: /^https?$/ })
          .max(2048)
          .optional(),
        /** Name of the environment variable holding the provider's key (brave, tavily). */
        api_key_env: envName.optional(),
        max_results: int(1, 10).default(5),
      })
      .strict()
      .superRefine((value, context) => {
        if (value.provider === 'searxng' && !value.base_url) {
          context.addIssue({
            code: 'custom',
            path: ['base_url'],
            message: 'searxng needs base_url (your SearXNG instance)',
          });
        }
      })
      .prefault({}),
    scheduler: z
      .object({ api_enabled: z.boolean().default(true), runs_query_default_limit: int(1, 2000).default(100) })
      .strict()
      .prefault({}),
    heartbeat: z
      .object({
        enabled: z.boolean().default(false),
        interval_seconds: int(30, 31 * 86_400).default(300),
        timezone: timeZoneName.default(UTC_ZONE),
        active_start_hour: int(0, 23).default(9),
        active_end_hour: int(0, 23).default(21),
        session_id: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9_:.-]{1,128}$/)
          .default('__heartbeat__'),
      })
      .strict()
      .prefault({}),
    cron: z
      .object({
        enabled: z.boolean().default(true),
        poll_interval_seconds: int(5, 3600).default(20),
        timezone: timeZoneName.default(UTC_ZONE),
        max_failures: int(1, 1000).default(8),
        retry_base_seconds: int(5, 86_400).default(30),
        retry_max_seconds: int(30, 7 * 86_400).default(3600),
        failure_retention: int(1, 100_000).default(200),
        max_concurrent_runs: int(1, 64).default(1),
      })
      .strict()
      .prefault({}),
    usage: z
      .object({
        /** Model key (matched like catalog keys: exact, then longest prefix) -> prices that add to or replace the catalog's. */
        pricing_overrides: z.record(z.string().trim().toLowerCase().min(1).max(200), modelPriceSchema).default({}),
        budget: z
          .object({
            daily_usd: usdCap.default(null),
            monthly_usd: usdCap.default(null),
            action: z.enum(['warn', 'block']).default('warn'),
            timezone: timeZoneName.default(UTC_ZONE),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Provider profiles by id (global config only); `default` is the LLM_* variables' profile. */
    llm_profiles: llmProfilesSchema,
    /** The profile an agent calls and those it falls back to. */
    llm_route: llmRouteSchema,
    /** Circuit breaker of every profile (global config only). */
    llm_breaker: llmBreakerSchema,
    /** Embedding endpoints by id (global config only); `default` is the EMBEDDING_* variables' provider. */
    embedding_profiles: embeddingProfilesSchema,
    /** The embedding profile the server indexes with and those it falls back to (global, read at start). */
    embedding_route: llmRouteSchema,
  })
  .strict()
  .superRefine(llmRouteProblems);

/** Keys only the global config.json may set: they describe the server's providers (one index space), not an agent. */
export const GLOBAL_ONLY_KEYS = ['llm_profiles', 'llm_breaker', 'embedding_profiles', 'embedding_route'] as const;

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;

/** The configuration every key's default gives. */
export function defaultRuntimeConfig(): RuntimeConfig {
  return runtimeConfigSchema.parse({});
}
