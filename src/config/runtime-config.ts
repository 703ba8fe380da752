// Global + per-agent runtime configuration: layering, reload on file change, validated atomic writes.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppError, validationErrors } from '../shared/app-error';
import { writeFileAtomic } from '../shared/atomic-write';
import type { Logger } from '../shared/logger';
import { chunkingChanges, chunkOverlapIssues } from './chunk-overlap-rule';
import { readJsonObject, serializeConfig, writeConfigFile } from './config-file';
import { deepDiff, deepMerge } from './config-layers';
import { zodIssuesToItems } from './config-issues';
import {
  defaultRuntimeConfig,
  GLOBAL_ONLY_KEYS,
  runtimeConfigSchema,
  type RuntimeConfig,
} from './runtime-config.schema';
import { indexFileOnDiskProblem } from './storage-paths';

type Json = Record<string, unknown>;

export interface RuntimeConfigStore {
  /** Path of the global config file. */
  readonly globalPath: string;
  /**
   * Writes the global `config.json` with every default when it is absent and reads it. Throws when it
   * exists but is not valid, naming each bad key (server start).
   */
  start(): void;
  /** The effective config of the agent whose folder is `agentRoot` (global layered under agent). */
  effective(agentRoot: string): RuntimeConfig;
  /** The global layer alone (providers, routes and breaker settings of the server). */
  global(): RuntimeConfig;
  /**
   * Replaces the global config by `edit(current raw file)`, validated whole and written atomically.
   * Each agent folder in `agentRoots` must still have a valid config over it (a route must not lose its
   * profile). Throws 422 as `update` (fields prefixed by `fieldPrefix`, an agent's by
   * `workspaces/<id>/config.json`); the file is untouched then.
   */
  updateGlobal(edit: (raw: Json) => Json, fieldPrefix?: string, agentRoots?: readonly string[]): RuntimeConfig;
  /**
   * Deep-merges `patch` over the agent's effective config, validates the whole result, and stores
   * only the keys that differ from the global layer. Throws 422 `validation_error` listing every bad
   * or unknown field (prefixed by `fieldPrefix`); the file is untouched then.
   */
  update(agentRoot: string, patch: Json, fieldPrefix?: string): RuntimeConfig;
  /** Drops the cached entry of an agent (after its folder is deleted). */
  forget(agentRoot: string): void;
  /** Calls `listener` with the agent folder after each `update` (the scheduler follows config at once). */
  subscribe(listener: (agentRoot: string) => void): () => void;
}

interface CacheEntry {
  globalStamp: string;
  agentStamp: string;
  config: RuntimeConfig;
}

/**
 * What identifies a version of a file: mtime, size and inode. mtime alone misses an edit made within
 * the filesystem's timestamp granularity (coarse on many kernels); an atomic replace changes the inode.
 */
function stampOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    // No file (or unreadable): a stamp of its own, so its coming back is noticed.
    return 'missing';
  }
}

/** Validates a raw config object; throws 422 with one item per problem. */
export function parseRuntimeConfig(raw: Json, fieldPrefix = 'config'): RuntimeConfig {
  // reportInput lets the issue mapper tell a missing key from a value of the wrong type.
  const result = runtimeConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw validationErrors(zodIssuesToItems(result.error.issues, fieldPrefix));
}

/**
 * Validates an agent's config as `parseRuntimeConfig`, and also what only its folder can tell: the
 * retrieval index must not be something other than a regular file there (a folder, link or device).
 */
function parseAgentConfig(raw: Json, agentRoot: string, fieldPrefix = 'config'): RuntimeConfig {
  const config = parseRuntimeConfig(raw, fieldPrefix);
  const { engine, db_path } = config.retrieval.storage;
  const problem = indexFileOnDiskProblem(agentRoot, engine, db_path);
  if (!problem) return config;
  throw validationErrors(
    zodIssuesToItems(
      [{ code: 'custom', path: ['retrieval', 'storage', 'db_path'], message: problem, input: db_path }],
      fieldPrefix,
    ),
  );
}

/** 422 for keys only the global config may hold (`llm_profiles`, `llm_breaker`) found in an agent's layer. */
function assertNoGlobalOnlyKeys(agentLayer: Json, fieldPrefix: string): void {
  const found = GLOBAL_ONLY_KEYS.filter((key) => key in agentLayer);
  if (found.length === 0) return;
  throw validationErrors(
    found.map((key) => ({
      field: [fieldPrefix, key].filter(Boolean).join('.'),
      message: 'Set in the global config only (PUT /api/config/llm), not per agent',
      code: 'value_error',
    })),
  );
}

/**
 * The config layers under `dataDir`. Nothing is read or written until `start()`, which writes a global
 * `config.json` with every default when it is absent.
 */
export function createRuntimeConfigStore(dataDir: string, logger: Logger): RuntimeConfigStore {
  const globalPath = join(dataDir, 'config.json');
  let globalRaw: Json = {};
  let globalStamp = 'not read';
  const cache = new Map<string, CacheEntry>();
  const listeners = new Set<(agentRoot: string) => void>();
  // A file's stamp, read once per task of the event loop: a turn asks for its config a score of times in one task,
  // and a file changed meanwhile is seen by the next task (each request, timer and I/O callback is one). Writes here
  // forget the stamp of the file they write.
  const stamps = new Map<string, string>();
  const stampNow = (path: string): string => {
    let stamp = stamps.get(path);
    if (stamp !== undefined) return stamp;
    stamp = stampOf(path);
    if (stamps.size === 0) setImmediate(() => stamps.clear());
    stamps.set(path, stamp);
    return stamp;
  };

  const currentGlobal = (): Json => {
    const stamp = stampNow(globalPath);
    if (stamp !== globalStamp) {
      try {
        const raw = readJsonObject(globalPath);
        parseRuntimeConfig(raw);
        globalRaw = raw;
      } catch (error) {
        logger.error('global config.json is invalid; keeping the last good version', { error: String(error) });
      }
      globalStamp = stamp;
    }
    return globalRaw;
  };

  const effective = (agentRoot: string): RuntimeConfig => {
    const global = currentGlobal();
    const agentPath = join(agentRoot, 'config.json');
    const agentStamp = stampNow(agentPath);
    const cached = cache.get(agentRoot);
    if (cached && cached.globalStamp === globalStamp && cached.agentStamp === agentStamp) return cached.config;
    let config: RuntimeConfig;
    try {
      const agentLayer = readJsonObject(agentPath);
      assertNoGlobalOnlyKeys(agentLayer, 'config');
      config = parseAgentConfig(deepMerge(global, agentLayer), agentRoot);
    } catch (error) {
      logger.error('agent config.json is invalid; using the last good version', { agentRoot, error: String(error) });
      config = cached?.config ?? parseRuntimeConfig(global);
    }
    cache.set(agentRoot, { globalStamp, agentStamp, config });
    return config;
  };

  const update = (agentRoot: string, patch: Json, fieldPrefix = 'config'): RuntimeConfig => {
    const current = effective(agentRoot) as unknown as Json;
    const merged = deepMerge(current, patch);
    const config = parseAgentConfig(merged, agentRoot, fieldPrefix);
    // Only what the request changes: clients PUT back the whole config they read (contract §9.3).
    const overlaps = chunkOverlapIssues(config, chunkingChanges(current, merged), fieldPrefix);
    if (overlaps.length > 0) throw validationErrors(overlaps);
    const globalConfig = parseRuntimeConfig(currentGlobal());
    const delta = deepDiff(config as unknown as Json, globalConfig as unknown as Json);
    assertNoGlobalOnlyKeys(delta, fieldPrefix);
    writeConfigFile(join(agentRoot, 'config.json'), delta, `workspaces/${basename(agentRoot)}/config.json`);
    stamps.delete(join(agentRoot, 'config.json'));
    cache.delete(agentRoot);
    const result = effective(agentRoot);
    for (const listener of listeners) {
      try {
        listener(agentRoot);
      } catch (error) {
        logger.error('config change listener failed', { agentRoot, error: String(error) });
      }
    }
    return result;
  };

  const updateGlobal = (edit: (raw: Json) => Json, fieldPrefix = 'config', agentRoots: readonly string[] = []) => {
    const before = currentGlobal();
    const next = edit(structuredClone(before));
    const config = parseRuntimeConfig(next, fieldPrefix);
    const overlaps = chunkOverlapIssues(config, chunkingChanges(before, next), fieldPrefix);
    if (overlaps.length > 0) throw validationErrors(overlaps);
    for (const agentRoot of agentRoots) {
      const name = `workspaces/${basename(agentRoot)}/config.json`;
      parseAgentConfig(deepMerge(next, readJsonObject(join(agentRoot, 'config.json'), name)), agentRoot, name);
    }
    writeConfigFile(globalPath, next);
    stamps.delete(globalPath);
    cache.clear();
    currentGlobal();
    return config;
  };

  return {
    globalPath,
    global: () => parseRuntimeConfig(currentGlobal()),
    updateGlobal,
    start() {
      if (!existsSync(globalPath))
        writeFileAtomic(globalPath, serializeConfig(defaultRuntimeConfig() as unknown as Json));
      const stamp = stampOf(globalPath);
      let raw: Json;
      try {
        raw = readJsonObject(globalPath);
        parseRuntimeConfig(raw, 'config.json');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const items = (error.details?.items ?? []) as { field: string; message: string }[];
        // Start-up, not a request: the message lists every problem and names the file for the operator.
        throw new AppError(
          'validation_error',
          `Invalid ${globalPath}: ${items.map((item) => `${item.field}: ${item.message}`).join('; ')}`,
          { items },
          { cause: error },
        );
      }
      globalRaw = raw;
      globalStamp = stamp;
      stamps.delete(globalPath);
    },
    effective,
    update,
    forget(agentRoot) {
      stamps.delete(join(agentRoot, 'config.json'));
      cache.delete(agentRoot);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
