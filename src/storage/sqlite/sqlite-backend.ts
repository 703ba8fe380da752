// The default storage: each agent's rows in its own storage/agent.db; start and close only take and free the data folder's lock.
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { StorageBackend } from '../storage-backend';
import { lockDataFolder } from './data-folder-lock';
import { sqliteAgentStorage } from './open-sqlite-agent-storage';

export function createSqliteBackend(deps: { clock: Clock; logger: Logger; dataDir: string }): StorageBackend {
  let lock: { release(): void } | null = null;
  return {
    kind: 'sqlite',
    openStorage: sqliteAgentStorage(deps),
    coordinator: null,
    embeddingCache: null,
    start: async () => {
      lock ??= lockDataFolder(deps.dataDir, deps.logger);
    },
    health: async () => null,
    // The rows sit in the agent's folder and go with it.
    forgetAgent: async () => undefined,
    close: async () => {
      lock?.release();
      lock = null;
    },
  };
}
