// The agent storage an export reads or an import writes: the SQLite files under a data folder, or a PostgreSQL database.
import type { SQL } from 'bun';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_MIGRATIONS } from '../../db/postgres/postgres-db.schema';
import { applyPostgresMigrations } from '../../db/postgres/postgres-migrations';
import { openPostgresPool } from '../../db/postgres/postgres-pool';
import { AGENT_DB_FILE, AGENT_STORAGE_FOLDER } from '../../shared/agent-storage';
import type { Clock } from '../../shared/clock';
import { isValidAgentId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import type { AgentStorage } from '../agent-storage';
import { inlineTransactions } from '../postgres/inline-transactions';
import { postgresAgentStorage } from '../postgres/open-postgres-agent-storage';
import { sqliteAgentStorage, sqliteImportStorage } from '../sqlite/open-sqlite-agent-storage';

/** A clock an import sets to each row's own time, so stores that stamp "now" keep the exported times. */
export interface SettableClock extends Clock {
  set(ms: number): void;
}

export function settableClock(): SettableClock {
  let now = Date.now();
  return { nowMs: () => now, set: (ms) => void (now = ms) };
}

export interface TransferStorage {
  readonly kind: 'sqlite' | 'postgres';
  /** Agents holding rows here, sorted. */
  agentIds(): Promise<string[]>;
  /** Opens agent `id`'s ports (an import creates what is missing); `createdAt` is recorded for an agent without one. */
  open(id: string, createdAt?: number): AgentStorage;
  /**
   * Runs `write` with an opener of the agents it imports into (recording `createdAt` for an agent without a
   * creation time) and keeps what it wrote only once it resolves. PostgreSQL holds the whole import in one
   * transaction; SQLite holds each agent's writes in one, committed once `write` is done. A failure, or the
   * process dying, leaves the target as it was.
   */
  importing(write: (open: ImportOpener) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Opens agent `id`'s storage for an import's writes. */
export type ImportOpener = (id: string, createdAt: number) => AgentStorage;

const AGENT_ROW_TABLES = [
  'agents',
  'sessions',
  'usage_records',
  'cron_jobs',
  'cron_runs',
  'heartbeat_runs',
  'tool_audit',
];

/**
 * PostgreSQL when `databaseUrl` is given (migrated first), else the SQLite files under `dataDir`. `recover` (SQLite,
 * default true) settles the runs a stopped server left active as each agent opens; false beside a running server.
 */
export async function openTransferStorage(options: {
  dataDir: string;
  databaseUrl?: string | null;
  clock: Clock;
  logger: Logger;
  recover?: boolean;
}): Promise<TransferStorage> {
  const createdAt = new Map<string, number>();
  const given = (id: string) => createdAt.get(id);
  if (options.databaseUrl) {
    const sql: SQL = openPostgresPool({
      url: options.databaseUrl,
      poolSize: 2,
      applicationName: 'mini-openclaw transfer',
    });
    try {
      await applyPostgresMigrations(sql, POSTGRES_MIGRATIONS, { logger: options.logger });
    } catch (error) {
      await sql.close({ timeout: 1 });
      throw error;
    }
    const opener = postgresAgentStorage({ sql, clock: options.clock, createdAt: given });
    return {
      kind: 'postgres',
      async agentIds() {
        const union = AGENT_ROW_TABLES.map((table) =>
          table === 'agents' ? 'SELECT id FROM agents' : `SELECT agent_id FROM ${table}`,
        ).join(' UNION ');
        const rows: { id: string }[] = await sql.unsafe(`SELECT id FROM (${union}) AS ids ORDER BY id`);
        return rows.map((row) => row.id);
      },
      open(id, at) {
        if (at !== undefined) createdAt.set(id, at);
        return opener(id, join(options.dataDir, 'workspaces', id));
      },
      async importing(write) {
        // One transaction for every agent, the stores' own transactions run inside it: a failure rolls back all.
        await sql.begin(async (tx) => {
          const importer = postgresAgentStorage({
            sql: inlineTransactions(tx),
            clock: options.clock,
            createdAt: given,
          });
          await write((id, at) => {
            createdAt.set(id, at);
            return importer(id, join(options.dataDir, 'workspaces', id));
          });
        });
      },
      close: () => sql.close({ timeout: 5 }),
    };
  }
  const workspaces = join(options.dataDir, 'workspaces');
  const sqliteDeps = { clock: options.clock, logger: options.logger, createdAt: given, recover: options.recover };
  const opener = sqliteAgentStorage(sqliteDeps);
  const importer = sqliteImportStorage(sqliteDeps);
  /** Agent `id`'s folder with its storage folder made (a new agent's workspace files are seeded at the next start). */
  const agentRoot = (id: string) => {
    const root = join(workspaces, id);
    mkdirSync(join(root, AGENT_STORAGE_FOLDER), { recursive: true });
    return root;
  };
  return {
    kind: 'sqlite',
    async agentIds() {
      if (!existsSync(workspaces)) return [];
      return readdirSync(workspaces)
        .filter(
          (name) => isValidAgentId(name) && existsSync(join(workspaces, name, AGENT_STORAGE_FOLDER, AGENT_DB_FILE)),
        )
        .sort();
    },
    open(id, at) {
      if (at !== undefined) createdAt.set(id, at);
      return opener(id, agentRoot(id));
    },
    async importing(write) {
      const open: ReturnType<typeof importer>[] = [];
      try {
        await write((id, at) => {
          createdAt.set(id, at);
          const storage = importer(id, agentRoot(id));
          open.push(storage);
          return storage;
        });
        for (const storage of open) storage.commit();
      } finally {
        for (const storage of open) storage.close();
      }
    },
    close: async () => undefined,
  };
}
