// The composition root's retrieval part: the routed embedding client, its health, where indexes live, the service.
import { hostname, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { AgentDirectory } from './agents';
import type { EnvSettings, RuntimeConfigStore } from './config';
import { createBreakerBoard } from './llm';
import {
  createEmbeddingHealth,
  createRetrievalService,
  createRoutedEmbeddingClient,
  type RetrievalService,
  withSharedEmbeddingCache,
} from './retrieval';
import { openSqliteIndex } from './retrieval/sqlite/open-index';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import type { StorageBackend } from './storage/storage-backend';

export interface RetrievalParts {
  settings: EnvSettings;
  /** The data folder, resolved. */
  dataDir: string;
  env: Record<string, string | undefined>;
  configStore: RuntimeConfigStore;
  storage: StorageBackend;
  agents: AgentDirectory;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Memory and knowledge search over every agent. Embeddings follow the global embedding route, each profile
 * behind its own circuit breaker; with replicas a text one of them embedded is read from the shared cache.
 */
export function buildRetrieval(parts: RetrievalParts): RetrievalService {
  const { settings, storage, clock, logger } = parts;
  const embeddingClient = createRoutedEmbeddingClient({
    settings: settings.embedding,
    env: parts.env,
    config: () => parts.configStore.global(),
    breakers: createBreakerBoard(clock, () => parts.configStore.global().llm_breaker),
    options: { sleep: parts.sleep },
  });
  const health = createEmbeddingHealth(
    storage.embeddingCache
      ? withSharedEmbeddingCache(embeddingClient, storage.embeddingCache, logger)
      : embeddingClient,
    clock,
    logger,
  );
  // With a shared database the agent folders sit on a network volume; the derived index stays on this replica.
  const indexDir =
    settings.indexDir ?? (storage.kind === 'postgres' ? join(tmpdir(), `mini-openclaw-index-${hostname()}`) : null);
  const workspacesDir = join(parts.dataDir, 'workspaces');
  return createRetrievalService({
    agents: parts.agents,
    openIndex: indexDir
      ? (engine, path, identity) =>
          openSqliteIndex(engine, join(resolve(indexDir), relative(workspacesDir, path)), identity)
      : openSqliteIndex,
    health,
    clock,
    logger,
  });
}
