// The shared storage of several replicas: one PostgreSQL pool, migrated at start, its coordinator, and a health probe.
import { createPostgresCoordinator } from '../../coordination/postgres/postgres-coordinator';
import { createPostgresEmbeddingCache } from '../../retrieval/postgres/embedding-cache.postgres';
import { POSTGRES_MIGRATIONS } from '../../db/postgres/postgres-db.schema';
import { applyPostgresMigrations } from '../../db/postgres/postgres-migrations';
import { openPostgresPool, probePostgres } from '../../db/postgres/postgres-pool';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { StorageHealth } from '../../shared/storage-probe';
import type { StorageBackend } from '../storage-backend';
import { deletePostgresAgentRows, postgresAgentStorage } from './open-postgres-agent-storage';

/** A probe answer is reused this long, so a storm of readiness checks costs one query. */
const HEALTH_TTL_MS = 500;
const PROBE_TIMEOUT_MS = 2000;

export interface PostgresBackendDeps {
  url: string;
  poolSize: number;
  clock: Clock;
  logger: Logger;
  /** Lease of the coordinator's locks (15 s by default); tests shorten it. */
  leaseMs?: number;
}

export function createPostgresBackend(deps: PostgresBackendDeps): StorageBackend {
  const sql = openPostgresPool({ url: deps.url, poolSize: deps.poolSize });
  const coordinator = createPostgresCoordinator({ sql, clock: deps.clock, logger: deps.logger, leaseMs: deps.leaseMs });
  let last: { atMs: number; health: StorageHealth } | null = null;
  let probing: Promise<StorageHealth> | null = null;

  const probe = async (): Promise<StorageHealth> => {
    const result = await probePostgres(sql, PROBE_TIMEOUT_MS);
    if (result.ok) return { writable: true };
    return { writable: false, code: 'storage_unavailable', reason: 'database_unreachable' };
  };

  return {
    kind: 'postgres',
    openStorage: postgresAgentStorage({ sql, clock: deps.clock }),
    coordinator,
    embeddingCache: createPostgresEmbeddingCache(sql),
    async start() {
      await applyPostgresMigrations(sql, POSTGRES_MIGRATIONS, { logger: deps.logger });
    },
    async health() {
      const now = performance.now();
      if (last && now - last.atMs < HEALTH_TTL_MS) return last.health;
      probing ??= probe().finally(() => {
        probing = null;
      });
      const health = await probing;
      last = { atMs: performance.now(), health };
      return health;
    },
    async schedulerWork(untilMs) {
      const rows: { agent_id: string }[] = await sql`
        SELECT agent_id FROM cron_jobs WHERE enabled AND next_run_ms IS NOT NULL AND next_run_ms <= ${untilMs}
        UNION SELECT agent_id FROM cron_runs WHERE status = 'running'`;
      return new Set(rows.map((row) => row.agent_id));
    },
    async liveSessionAgents() {
      const rows: { agent_id: string }[] =
        await sql`SELECT DISTINCT agent_id FROM sessions WHERE live_response IS NOT NULL`;
      return new Set(rows.map((row) => row.agent_id));
    },
    forgetAgent: (id) => deletePostgresAgentRows(sql, id),
    async close() {
      await sql.close({ timeout: 5 });
    },
  };
}
