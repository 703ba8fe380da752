// SQLite adapter of AgentMetaStore: the `agent_meta` table of the agent database.
import type { Database } from 'bun:sqlite';
import type { AgentMetaStore } from '../agent-meta.port';

/**
 * The store over an open agent database. The first open of a database records `createdAtSeconds()`
 * (the folder's birth time, for agents that predate the table); later opens keep the stored value.
 */
export function createSqliteAgentMetaStore(db: Database, createdAtSeconds: () => number): AgentMetaStore {
  if (!db.query("SELECT 1 FROM agent_meta WHERE key = 'created_at'").get()) {
    db.query("INSERT OR IGNORE INTO agent_meta (key, value) VALUES ('created_at', ?)").run(String(createdAtSeconds()));
  }
  const select = db.query<{ value: string }, []>("SELECT value FROM agent_meta WHERE key = 'created_at'");
  return {
    createdAt: async () => Number(select.get()?.value ?? 0),
  };
}
