// Environment -> typed settings. The only module that knows variable names; pure over its input.
import { checkDatabaseUrl } from '../shared/database-url';
import { parseDecimalInteger } from '../shared/decimal-integer';
import { ENDPOINT_URL_FORM, isEndpointUrl } from '../shared/endpoint-url';
import { MODEL_OVERRIDES_FORM, readModelOverrides } from './model-overrides';
import { normaliseOrigin, normaliseTrustedHost, ORIGIN_FORM, TRUSTED_HOST_FORM } from './host-origin-entries';
import { parseIpRange, type IpRange } from '../shared/ip-address';
import type { LogLevel } from '../shared/logger';
import {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_DATABASE_LEASE_SECONDS,
  DEFAULT_DATABASE_POOL_SIZE,
  DEFAULT_TRUSTED_HOSTS,
  type EmbeddingProvider,
  type EnvSettings,
} from './env.types';

type Env = Record<string, string | undefined>;

/** Problems found in the environment; reported all at once by `readEnvSettings`. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Reads every setting from `env`; throws `EnvError` listing each bad variable. Missing model keys are not errors. */
export function readEnvSettings(env: Env): EnvSettings {
  const problems: string[] = [];
  const text = (name: string, fallback = '') => env[name]?.trim() || fallback;
  const bool = (name: string, fallback: boolean) => {
    const raw = text(name).toLowerCase();
    if (!raw) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (also 1/0, yes/no, on/off), got "${env[name]}"`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (!raw) return fallback;
    const value = parseDecimalInteger(raw);
    if (value === null || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} in decimal digits, got "${env[name]}"`);
      return fallback;
    }
    return value;
  };
  const list = (name: string, fallback: string[]) => {
    const items = (env[name] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : fallback;
  };
  /** A list whose entries `normalise` puts in the form they are compared in; one problem naming every bad entry. */
  const checkedList = (name: string, fallback: string[], normalise: (entry: string) => string | null, form: string) => {
    const items = list(name, []);
    const bad = items.filter((item) => normalise(item) === null);
    if (bad.length > 0) problems.push(`${name} ${form}, got "${bad.join(', ')}"`);
    return items.length > 0 && bad.length === 0 ? items.map((item) => normalise(item)!) : fallback;
  };
  const ranges = (name: string) => {
    const items = list(name, []);
    const parsed = items.map(parseIpRange);
    if (parsed.includes(null)) {
      problems.push(
        `${name} must be IP addresses or CIDR ranges separated by commas (such as 10.0.0.0/8, ::1), got "${env[name]}"`,
      );
      return [];
    }
    return parsed as IpRange[];
  };

  const databaseUrl = (name: string) => {
    const raw = text(name);
    if (!raw) return null;
    const check = checkDatabaseUrl(raw);
    // The problem text masks the password: an EnvError is printed on stderr.
    if (!check.ok) problems.push(`${name} ${check.problem}`);
    return check.ok ? check.url : null;
  };

  /** The first of `names` that is set, as a model endpoint's base URL; `fallback` when none is set or it is no URL. */
  const endpoint = (names: string[], fallback = '') => {
    const name = names.find((candidate) => text(candidate));
    if (!name) return fallback;
    if (isEndpointUrl(text(name))) return text(name);
    problems.push(`${name} ${ENDPOINT_URL_FORM}, got "${env[name]}"`);
    return fallback;
  };

  const logLevel = text('APP_LOG_LEVEL', 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    problems.push(`APP_LOG_LEVEL must be one of debug, info, warn, error, silent, got "${env.APP_LOG_LEVEL}"`);
  }

  const provider = text('EMBEDDING_PROVIDER', 'openai').toLowerCase();
  if (!['openai', 'google_ai_studio', 'none'].includes(provider)) {
    problems.push(`EMBEDDING_PROVIDER must be openai, google_ai_studio or none, got "${env.EMBEDDING_PROVIDER}"`);
  }

  const overridesBad = readModelOverrides(text('TOOL_LOOP_MODEL_OVERRIDES')).bad.join(', ');
  if (overridesBad) problems.push(`TOOL_LOOP_MODEL_OVERRIDES ${MODEL_OVERRIDES_FORM}, got "${overridesBad}"`);
  // Checked only: the tracing switch reads the variable itself (config/tracing.ts), as PUT /api/config/tracing sets it.
  bool('OBS_TRACING_ENABLED', false);

  const llmSource =
    text('LLM_BASE_URL') || text('LLM_API_KEY') || text('LLM_MODEL')
      ? 'LLM'
      : text('DEEPSEEK_API_KEY') || text('DEEPSEEK_BASE_URL') || text('DEEPSEEK_MODEL')
        ? 'DEEPSEEK'
        : 'none';
  const settings: EnvSettings = {
    host: text('APP_HOST', '127.0.0.1'),
    port: integer('APP_PORT', 8002, 0, 65535),
    dataDir: text('APP_DATA_DIR', './storage'),
    allowedOrigins: checkedList('APP_ALLOWED_ORIGINS', DEFAULT_ALLOWED_ORIGINS, normaliseOrigin, ORIGIN_FORM),
    trustedHosts: checkedList('APP_TRUSTED_HOSTS', DEFAULT_TRUSTED_HOSTS, normaliseTrustedHost, TRUSTED_HOST_FORM),
    trustedProxies: ranges('APP_TRUSTED_PROXIES'),
    logLevel: (['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel) ? logLevel : 'info') as LogLevel,
    apiToken: text('APP_API_TOKEN'),
    maxOpenAgents: text('APP_MAX_OPEN_AGENTS') ? integer('APP_MAX_OPEN_AGENTS', 0, 1, 1_000_000) : null,
    warmStart: bool('APP_WARM_START', true),
    modelWorkers: integer('APP_MODEL_WORKERS', 0, 0, 16),
    indexDir: text('APP_INDEX_DIR') || null,
    rateLimit: {
      enabled: bool('APP_RATE_LIMIT_ENABLED', true),
      chat: integer('APP_RATE_LIMIT_CHAT', 60, 1, 1_000_000),
      tokens: integer('APP_RATE_LIMIT_TOKENS', 120, 1, 1_000_000),
      files: integer('APP_RATE_LIMIT_FILES', 120, 1, 1_000_000),
      windowSeconds: 60,
    },
    rejoinStreams: {
      perRun: integer('APP_MAX_REJOIN_STREAMS_PER_RUN', 32, 1, 1_000_000),
      total: integer('APP_MAX_REJOIN_STREAMS', 1000, 1, 1_000_000),
    },
    database: {
      url: databaseUrl('APP_DATABASE_URL'),
      poolSize: integer('APP_DATABASE_POOL_SIZE', DEFAULT_DATABASE_POOL_SIZE, 1, 1000),
      leaseSeconds: integer('APP_DATABASE_LEASE_SECONDS', DEFAULT_DATABASE_LEASE_SECONDS, 1, 3600),
    },
    llm: {
      baseUrl: endpoint(['LLM_BASE_URL', 'DEEPSEEK_BASE_URL']),
      apiKey: text('LLM_API_KEY') || text('DEEPSEEK_API_KEY'),
      model: text('LLM_MODEL') || text('DEEPSEEK_MODEL'),
      source: llmSource,
      toolLoopModel: text('TOOL_LOOP_MODEL'),
      toolLoopModelOverrides: text('TOOL_LOOP_MODEL_OVERRIDES'),
    },
    embedding: {
      provider: (['openai', 'google_ai_studio', 'none'].includes(provider) ? provider : 'openai') as EmbeddingProvider,
      baseUrl: endpoint(['EMBEDDING_BASE_URL', 'OPENAI_BASE_URL'], 'https://api.openai.com/v1'),
      apiKey: text('EMBEDDING_API_KEY') || text('OPENAI_API_KEY'),
      model: text('EMBEDDING_MODEL', 'text-embedding-3-small'),
      googleApiKey: text('GOOGLE_API_KEY'),
      googleModel: text('GOOGLE_EMBEDDING_MODEL', 'gemini-embedding-001'),
    },
    sandboxIdentity: {
      uid: integer('APP_SANDBOX_UID', 65534, 1, 4_294_967_294),
      gid: integer('APP_SANDBOX_GID', 65534, 1, 4_294_967_294),
    },
    tracing: {
      obsTracingEnabled: env.OBS_TRACING_ENABLED,
      langsmithTracing: env.LANGSMITH_TRACING,
      langchainTracingV2: env.LANGCHAIN_TRACING_V2,
      langsmithProject: text('LANGSMITH_PROJECT', 'mini-openclaw'),
    },
  };
  if (problems.length > 0) throw new EnvError(problems);
  return settings;
}

/** True when `host` binds only the loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
