// Schema of the shared PostgreSQL database (--database-url). Append new migrations; never edit a released one.
import type { Migration } from '../migrations';

const USAGE_SUM_COLUMNS = `
  runs bigint NOT NULL,
  priced_runs bigint NOT NULL,
  input_tokens bigint NOT NULL,
  input_uncached_tokens bigint NOT NULL,
  input_cache_read_tokens bigint NOT NULL,
  input_cache_write_tokens_5m bigint NOT NULL,
  input_cache_write_tokens_1h bigint NOT NULL,
  input_cache_write_tokens_unknown bigint NOT NULL,
  output_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  tool_input_tokens bigint NOT NULL,
  total_tokens bigint NOT NULL,
  cost_e8 bigint NOT NULL`;

/**
 * The rows of every agent's `agent.db`, keyed by agent id (`agent_id` leads every key and index), plus the
 * coordinator's shared locks and request buckets. Ordering columns (`seq`, `id`) are identities: they play
 * the part of SQLite's rowid, so "in the order stored" reads the same in both adapters.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'agents, sessions, messages, usage, tool audit, scheduler, coordinator',
    sql: `
      CREATE TABLE agents (
        id text PRIMARY KEY,
        created_at double precision NOT NULL
      );
      CREATE TABLE sessions (
        agent_id text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        title text NOT NULL,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        archived_at double precision,
        compressed_context text NOT NULL DEFAULT '',
        live_response text,
        PRIMARY KEY (agent_id, id)
      );
      CREATE INDEX sessions_active_by_updated ON sessions (agent_id, updated_at DESC, seq DESC) WHERE archived_at IS NULL;
      CREATE INDEX sessions_archived_by_updated ON sessions (agent_id, updated_at DESC, seq DESC) WHERE archived_at IS NOT NULL;
      CREATE INDEX sessions_live ON sessions (agent_id) WHERE live_response IS NOT NULL;
      CREATE TABLE messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        session_id text NOT NULL,
        role text NOT NULL,
        content text NOT NULL,
        tool_calls text,
        run_id text,
        status text,
        created_at double precision NOT NULL,
        FOREIGN KEY (agent_id, session_id) REFERENCES sessions (agent_id, id) ON DELETE CASCADE
      );
      CREATE INDEX messages_by_session ON messages (agent_id, session_id, id);
      CREATE TABLE compressed_messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        session_id text NOT NULL,
        compressed_at double precision NOT NULL,
        messages text NOT NULL
      );
      CREATE INDEX compressed_by_session ON compressed_messages (agent_id, session_id, id);
      CREATE TABLE usage_records (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        timestamp_ms bigint NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        trigger_type text NOT NULL,
        run_id text NOT NULL,
        session_id text NOT NULL,
        model_source text NOT NULL,
        usage_source text NOT NULL,
        input_tokens bigint NOT NULL,
        input_uncached_tokens bigint NOT NULL,
        input_cache_read_tokens bigint NOT NULL,
        input_cache_write_tokens_5m bigint NOT NULL,
        input_cache_write_tokens_1h bigint NOT NULL,
        input_cache_write_tokens_unknown bigint NOT NULL,
        output_tokens bigint NOT NULL,
        reasoning_tokens bigint NOT NULL,
        tool_input_tokens bigint NOT NULL,
        total_tokens bigint NOT NULL,
        priced boolean NOT NULL,
        cost_usd double precision,
        pricing text NOT NULL,
        estimated boolean NOT NULL DEFAULT false
      );
      CREATE INDEX usage_by_time ON usage_records (agent_id, timestamp_ms);
      CREATE INDEX usage_by_session_time ON usage_records (agent_id, session_id, timestamp_ms);
      CREATE TABLE usage_hourly (
        agent_id text NOT NULL,
        hour_ms bigint NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        trigger_type text NOT NULL,${USAGE_SUM_COLUMNS},
        PRIMARY KEY (agent_id, hour_ms, provider, model, trigger_type)
      );
      CREATE TABLE usage_daily (
        agent_id text NOT NULL,
        day_ms bigint NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        trigger_type text NOT NULL,${USAGE_SUM_COLUMNS},
        PRIMARY KEY (agent_id, day_ms, provider, model, trigger_type)
      );
      CREATE TABLE tool_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        timestamp_ms bigint NOT NULL,
        run_id text NOT NULL,
        session_id text NOT NULL,
        trigger_type text NOT NULL,
        tool_name text NOT NULL,
        arguments text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
        error_code text,
        reason text,
        duration_ms bigint NOT NULL
      );
      CREATE INDEX tool_audit_by_run ON tool_audit (agent_id, run_id, id);
      CREATE TABLE cron_jobs (
        agent_id text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        name text NOT NULL,
        schedule_type text NOT NULL,
        schedule text NOT NULL,
        timezone text,
        prompt text NOT NULL,
        enabled boolean NOT NULL,
        catch_up text NOT NULL DEFAULT 'skip',
        anchor_ms bigint NOT NULL,
        next_run_ms bigint,
        schedule_rev integer NOT NULL DEFAULT 0,
        created_ms bigint NOT NULL,
        updated_ms bigint NOT NULL,
        last_run_ms bigint,
        last_success_ms bigint,
        failure_count integer NOT NULL DEFAULT 0,
        last_error text NOT NULL DEFAULT '',
        PRIMARY KEY (agent_id, id)
      );
      CREATE INDEX cron_jobs_due ON cron_jobs (agent_id, next_run_ms) WHERE enabled AND next_run_ms IS NOT NULL;
      CREATE TABLE cron_runs (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        id text NOT NULL,
        job_id text NOT NULL,
        name text NOT NULL,
        status text NOT NULL,
        trigger text NOT NULL,
        timestamp_ms bigint NOT NULL,
        scheduled_ms bigint,
        started_ms bigint,
        finished_ms bigint,
        schedule_lag_ms bigint,
        duration_ms bigint,
        run_id text,
        session_id text,
        response_preview text,
        error text,
        failure_count integer,
        next_run_ms bigint,
        disabled boolean,
        details text,
        UNIQUE (agent_id, id)
      );
      CREATE INDEX cron_runs_by_status ON cron_runs (agent_id, status, seq);
      CREATE TABLE heartbeat_runs (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        agent_id text NOT NULL,
        timestamp_ms bigint NOT NULL,
        status text NOT NULL,
        timezone text NOT NULL,
        trigger text NOT NULL,
        scheduled_ms bigint,
        schedule_lag_ms bigint,
        duration_ms bigint,
        run_id text,
        session_id text,
        details text NOT NULL
      );
      CREATE INDEX heartbeat_runs_by_agent ON heartbeat_runs (agent_id, seq);
      CREATE TABLE coordinator_locks (
        name text PRIMARY KEY,
        token text NOT NULL,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX coordinator_locks_by_owner ON coordinator_locks (owner);
      CREATE TABLE coordinator_hits (
        key text NOT NULL,
        at_ms bigint NOT NULL
      );
      CREATE INDEX coordinator_hits_by_key ON coordinator_hits (key, at_ms);
      CREATE TABLE coordinator_strikes (
        key text PRIMARY KEY,
        stamps bigint[] NOT NULL,
        window_ms bigint NOT NULL,
        blocked_until_ms bigint NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'indexes for the replicas: jobs due and runs in progress across agents',
    sql: `
      CREATE INDEX cron_jobs_due_any_agent ON cron_jobs (next_run_ms) WHERE enabled AND next_run_ms IS NOT NULL;
      CREATE INDEX cron_runs_running ON cron_runs (agent_id) WHERE status = 'running';
    `,
  },
  {
    version: 3,
    description: 'embedding cache shared by the replicas',
    sql: `
      CREATE TABLE embedding_cache (
        provider text NOT NULL,
        model text NOT NULL,
        text_hash text NOT NULL,
        vector bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, model, text_hash)
      );
    `,
  },
  {
    version: 4,
    description: 'runs and approvals (run control)',
    sql: `
      CREATE TABLE runs (
        agent_id text NOT NULL,
        run_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        session_id text NOT NULL,
        trigger_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'waiting_approval', 'completed', 'failed', 'cancelled', 'interrupted')),
        started_ms bigint NOT NULL,
        finished_ms bigint,
        model text,
        attempts integer NOT NULL DEFAULT 1,
        usage text,
        error text,
        approval_ids text NOT NULL DEFAULT '[]',
        PRIMARY KEY (agent_id, run_id)
      );
      CREATE INDEX runs_by_seq ON runs (agent_id, seq DESC);
      CREATE INDEX runs_by_session ON runs (agent_id, session_id, seq DESC);
      CREATE INDEX runs_active ON runs (agent_id) WHERE status IN ('running', 'waiting_approval');
      CREATE TABLE approvals (
        agent_id text NOT NULL,
        approval_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        run_id text NOT NULL,
        session_id text NOT NULL,
        trigger_type text NOT NULL,
        tool text NOT NULL,
        args text NOT NULL,
        permission_level text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'edited', 'rejected', 'expired', 'cancelled')),
        created_ms bigint NOT NULL,
        expires_ms bigint NOT NULL,
        decided_ms bigint,
        decided_by text,
        reason text,
        edited_args text,
        PRIMARY KEY (agent_id, approval_id)
      );
      CREATE INDEX approvals_by_seq ON approvals (agent_id, seq DESC);
      CREATE INDEX approvals_by_run ON approvals (agent_id, run_id, seq DESC);
      CREATE INDEX messages_queued ON messages (agent_id, session_id, id) WHERE status = 'queued';
    `,
  },
  {
    version: 5,
    description: 'tool audit: the model whose call it was (model routing)',
    sql: `ALTER TABLE tool_audit ADD COLUMN model text;`,
  },
  {
    version: 6,
    description: 'run checkpoints: the state of a run paused for approvals, so it goes on after a restart',
    sql: `
      CREATE TABLE run_checkpoints (
        agent_id text NOT NULL,
        run_id text NOT NULL,
        session_id text NOT NULL,
        state text NOT NULL,
        updated_ms bigint NOT NULL,
        PRIMARY KEY (agent_id, run_id)
      );
    `,
  },
];

/** Tables holding one agent's rows (`agent_id`), children before parents: deleting an agent empties them in this order. */
export const AGENT_TABLES = [
  'messages',
  'compressed_messages',
  'sessions',
  'usage_records',
  'usage_hourly',
  'usage_daily',
  'tool_audit',
  'cron_runs',
  'cron_jobs',
  'heartbeat_runs',
  'runs',
  'approvals',
  'run_checkpoints',
] as const;
