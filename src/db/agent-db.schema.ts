// Schema of each agent's storage/agent.db. Append new migrations; never edit a released one.
import type { Migration } from './migrations';

export const AGENT_DB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'agent meta, sessions, messages, compression archive',
    sql: `
      CREATE TABLE agent_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        archived_at REAL,
        compressed_context TEXT NOT NULL DEFAULT '',
        live_response TEXT
      ) STRICT;
      CREATE INDEX sessions_by_scope_updated ON sessions ((archived_at IS NOT NULL), updated_at DESC);
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        tool_calls TEXT,
        run_id TEXT,
        status TEXT,
        created_at REAL NOT NULL
      ) STRICT;
      CREATE INDEX messages_by_session ON messages (session_id, id);
      CREATE TABLE compressed_messages (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        compressed_at REAL NOT NULL,
        messages TEXT NOT NULL
      ) STRICT;
      CREATE INDEX compressed_by_session ON compressed_messages (session_id, compressed_at);
    `,
  },
  {
    version: 2,
    description: 'usage records, one per model run',
    sql: `
      CREATE TABLE usage_records (
        id INTEGER PRIMARY KEY,
        timestamp_ms INTEGER NOT NULL,
        agent_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        model_source TEXT NOT NULL,
        usage_source TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        input_uncached_tokens INTEGER NOT NULL,
        input_cache_read_tokens INTEGER NOT NULL,
        input_cache_write_tokens_5m INTEGER NOT NULL,
        input_cache_write_tokens_1h INTEGER NOT NULL,
        input_cache_write_tokens_unknown INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        tool_input_tokens INTEGER NOT NULL,
        total_tokens INTEGER NOT NULL,
        priced INTEGER NOT NULL,
        cost_usd REAL,
        pricing TEXT NOT NULL
      ) STRICT;
      CREATE INDEX usage_by_time ON usage_records (timestamp_ms);
      CREATE INDEX usage_by_trigger_time ON usage_records (trigger_type, timestamp_ms);
    `,
  },
  {
    version: 3,
    description: 'partial indexes so session lists read in order without a sort',
    sql: `
      CREATE INDEX sessions_active_by_updated ON sessions (updated_at DESC) WHERE archived_at IS NULL;
      CREATE INDEX sessions_archived_by_updated ON sessions (updated_at DESC) WHERE archived_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    description: 'tool audit: one row per tool call with its outcome',
    sql: `
      CREATE TABLE tool_audit (
        id INTEGER PRIMARY KEY,
        timestamp_ms INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        arguments TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
        error_code TEXT,
        reason TEXT,
        duration_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX tool_audit_by_time ON tool_audit (timestamp_ms);
      CREATE INDEX tool_audit_by_run ON tool_audit (run_id, id);
    `,
  },
  {
    version: 5,
    description: 'scheduler: cron jobs, cron runs, heartbeat runs',
    sql: `
      CREATE TABLE cron_jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        schedule_type TEXT NOT NULL,
        schedule TEXT NOT NULL,
        timezone TEXT,
        prompt TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        catch_up TEXT NOT NULL DEFAULT 'skip',
        anchor_ms INTEGER NOT NULL,
        next_run_ms INTEGER,
        schedule_rev INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        last_run_ms INTEGER,
        last_success_ms INTEGER,
        failure_count INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX cron_jobs_due ON cron_jobs (next_run_ms) WHERE enabled = 1 AND next_run_ms IS NOT NULL;
      CREATE TABLE cron_runs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        job_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        trigger TEXT NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        scheduled_ms INTEGER,
        started_ms INTEGER,
        finished_ms INTEGER,
        schedule_lag_ms INTEGER,
        duration_ms INTEGER,
        run_id TEXT,
        session_id TEXT,
        response_preview TEXT,
        error TEXT,
        failure_count INTEGER,
        next_run_ms INTEGER,
        disabled INTEGER,
        details TEXT
      ) STRICT;
      CREATE INDEX cron_runs_by_status ON cron_runs (status, seq);
      CREATE TABLE heartbeat_runs (
        seq INTEGER PRIMARY KEY,
        timestamp_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        timezone TEXT NOT NULL,
        trigger TEXT NOT NULL,
        scheduled_ms INTEGER,
        schedule_lag_ms INTEGER,
        duration_ms INTEGER,
        run_id TEXT,
        session_id TEXT,
        details TEXT NOT NULL
      ) STRICT;
    `,
  },
];
