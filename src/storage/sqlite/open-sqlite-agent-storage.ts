// Opens an agent's storage in SQLite: storage/agent.db, migrated, with every domain's SQLite adapter over it.
import type { Database } from 'bun:sqlite';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteAgentMetaStore } from '../../agents/sqlite/agent-meta.sqlite';
import { createSqliteApprovalStore, expireOrphanedApprovals } from '../../chat/sqlite/approval-store.sqlite';
import { createSqliteRunCheckpointStore, keepPausedRuns } from '../../chat/sqlite/run-checkpoint.sqlite';
import { createSqliteRunStore, recoverInterruptedRuns } from '../../chat/sqlite/run-store.sqlite';
import { AGENT_DB_MIGRATIONS } from '../../db/agent-db.schema';
import { nameDatabaseFaults } from '../../db/name-database-faults';
import { openDatabase } from '../../db/open-database';
import { createSqliteHeartbeatStore } from '../../scheduler/sqlite/heartbeat-store.sqlite';
import { createSqliteSchedulerStore } from '../../scheduler/sqlite/scheduler-store.sqlite';
import { createSqliteMessageStore } from '../../sessions/sqlite/message-store.sqlite';
import { createSqliteSessionStore, recoverInterruptedSessions } from '../../sessions/sqlite/session-store.sqlite';
import { createSqliteToolAuditStore } from '../../tools/sqlite/tool-audit.sqlite';
import { createSqliteUsageStore } from '../../usage/sqlite/usage-store.sqlite';
import { AGENT_DB_FILE, AGENT_STORAGE_FOLDER } from '../../shared/agent-storage';
import { toEpochSeconds, type Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import { withDatabase } from '../../shared/storage-fault';
import type { AgentStorage } from '../agent-storage';

export interface SqliteAgentStorageDeps {
  clock: Clock;
  logger: Logger;
  /** The creation time (epoch seconds) to record for an agent without one; by default its folder's birth time. */
  createdAt?: (id: string) => number | undefined;
  /**
   * Whether opening settles what an earlier process left active (default true). False for a reader beside a
   * running server (an export): its live runs are not left over, and sweeping them would end them under it.
   */
  recover?: boolean;
}

/**
 * The opener the agent registry calls on an agent's first use. Nothing of this process can be mid-run
 * there (a run holds a lease, and leased storage is never closed), so live snapshots found now were
 * left by an earlier process: they become `interrupted` replies before anything reads the sessions.
 */
export function sqliteAgentStorage({
  clock,
  logger,
  createdAt,
  recover = true,
}: SqliteAgentStorageDeps): (id: string, root: string) => AgentStorage {
  return (id, root) => openAgentDatabase({ clock, logger, createdAt, recover }, id, root).storage;
}

/**
 * The opener an import writes through: each agent's writes are held in one transaction until `commit`, and
 * `close` without it rolls them back, as the system does for a process killed halfway. So an import that
 * fails or is killed leaves the agent as it found it, and a retry is not refused for rows it half wrote.
 */
export function sqliteImportStorage(
  deps: SqliteAgentStorageDeps,
): (id: string, root: string) => AgentStorage & { commit(): void } {
  return (id, root) => {
    const { db, storage } = openAgentDatabase(deps, id, root);
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      db.close();
      throw error;
    }
    return { ...storage, commit: () => db.exec('COMMIT') };
  };
}

function openAgentDatabase(
  { clock, logger, createdAt, recover = true }: SqliteAgentStorageDeps,
  id: string,
  root: string,
): { db: Database; storage: AgentStorage } {
  const path = join(root, AGENT_STORAGE_FOLDER, AGENT_DB_FILE);
  const db = openDatabase(path, AGENT_DB_MIGRATIONS);
  // Each store's SQLite failures name agent.db, so the 503 a client gets says which database.
  const named = <T extends object>(store: T) => nameDatabaseFaults(store, path);
  try {
    const agentMeta = createSqliteAgentMetaStore(
      db,
      () => createdAt?.(id) ?? toEpochSeconds(statSync(root).birthtimeMs || clock.nowMs()),
    );
    if (recover) recoverLeftovers(db, id, clock, logger);
    const storage: AgentStorage = {
      agentMeta: named(agentMeta),
      sessions: named(createSqliteSessionStore(db, clock)),
      messages: named(createSqliteMessageStore(db, clock)),
      toolAudit: named(createSqliteToolAuditStore(db)),
      usage: named(createSqliteUsageStore(db)),
      scheduler: named(createSqliteSchedulerStore(db)),
      heartbeats: named(createSqliteHeartbeatStore(db)),
      runs: named(createSqliteRunStore(db)),
      approvals: named(createSqliteApprovalStore(db)),
      checkpoints: named(createSqliteRunCheckpointStore(db)),
      close: () => db.close(),
    };
    return { db, storage };
  } catch (error) {
    db.close();
    throw withDatabase(error, path);
  }
}

/**
 * Live snapshots and active runs an earlier process left: snapshots become `interrupted` replies before anything
 * reads the sessions, runs `interrupted`, their orphaned approvals expired.
 */
function recoverLeftovers(db: Database, id: string, clock: Clock, logger: Logger): void {
  // A run paused for approvals with a checkpoint keeps its row, approvals and live snapshot: it goes on later.
  const paused = keepPausedRuns(db);
  const liveSessions = db
    .query<{ id: string }, []>('SELECT id FROM sessions WHERE live_response IS NOT NULL')
    .all()
    .map((row) => row.id)
    .filter((sessionId) => !paused.has(sessionId));
  const interrupted = liveSessions.length > 0 ? recoverInterruptedSessions(db, clock, liveSessions) : 0;
  if (interrupted > 0) logger.warn('recovered interrupted chat runs', { agent_id: id, sessions: interrupted });
  expireOrphanedApprovals(db, clock.nowMs(), 'The server restarted while the run waited.', true);
  const interruptedRuns = recoverInterruptedRuns(db, clock.nowMs(), true);
  if (interruptedRuns > 0)
    logger.warn('runs left running are now interrupted', { agent_id: id, runs: interruptedRuns });
}
