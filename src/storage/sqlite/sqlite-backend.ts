// The default storage: each agent's rows in its own storage/agent.db, so nothing to prepare, share or close here.
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { StorageBackend } from '../storage-backend';
import { sqliteAgentStorage } from './open-sqlite-agent-storage';

export function createSqliteBackend(deps: { clock: Clock; logger: Logger }): StorageBackend {
  return {
    kind: 'sqlite',
    openStorage: sqliteAgentStorage(deps),
    coordinator: null,
    embeddingCache: null,
    start: async () => undefined,
    health: async () => null,
    // The rows sit in the agent's folder and go with it.
    forgetAgent: async () => undefined,
    close: async () => undefined,
  };
}
