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
  {
    version: 6,
    description: 'hourly and daily (UTC) usage rollups kept by triggers, indexes for usage filters',
    sql: `
      CREATE TABLE usage_hourly (
        hour_ms INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        runs INTEGER NOT NULL,
        priced_runs INTEGER NOT NULL,
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
        cost_e8 INTEGER NOT NULL,
        PRIMARY KEY (hour_ms, provider, model, trigger_type)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE usage_daily (
        day_ms INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        runs INTEGER NOT NULL,
        priced_runs INTEGER NOT NULL,
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
        cost_e8 INTEGER NOT NULL,
        PRIMARY KEY (day_ms, provider, model, trigger_type)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER usage_records_rollup_insert AFTER INSERT ON usage_records BEGIN
        INSERT INTO usage_hourly (hour_ms, provider, model, trigger_type, runs, priced_runs, input_tokens, input_uncached_tokens, input_cache_read_tokens, input_cache_write_tokens_5m, input_cache_write_tokens_1h, input_cache_write_tokens_unknown, output_tokens, reasoning_tokens, tool_input_tokens, total_tokens, cost_e8)
        VALUES (
          NEW.timestamp_ms - NEW.timestamp_ms % 3600000, NEW.provider, NEW.model, NEW.trigger_type, 1, NEW.priced = 1 AND NEW.cost_usd IS NOT NULL,
          NEW.input_tokens, NEW.input_uncached_tokens, NEW.input_cache_read_tokens, NEW.input_cache_write_tokens_5m, NEW.input_cache_write_tokens_1h, NEW.input_cache_write_tokens_unknown, NEW.output_tokens, NEW.reasoning_tokens, NEW.tool_input_tokens, NEW.total_tokens, CASE WHEN NEW.priced = 1 AND NEW.cost_usd IS NOT NULL THEN CAST(round(NEW.cost_usd * 1e8) AS INTEGER) ELSE 0 END
        )
        ON CONFLICT (hour_ms, provider, model, trigger_type) DO UPDATE SET
          runs = runs + 1, priced_runs = priced_runs + excluded.priced_runs, input_tokens = input_tokens + excluded.input_tokens, input_uncached_tokens = input_uncached_tokens + excluded.input_uncached_tokens, input_cache_read_tokens = input_cache_read_tokens + excluded.input_cache_read_tokens, input_cache_write_tokens_5m = input_cache_write_tokens_5m + excluded.input_cache_write_tokens_5m, input_cache_write_tokens_1h = input_cache_write_tokens_1h + excluded.input_cache_write_tokens_1h, input_cache_write_tokens_unknown = input_cache_write_tokens_unknown + excluded.input_cache_write_tokens_unknown, output_tokens = output_tokens + excluded.output_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, tool_input_tokens = tool_input_tokens + excluded.tool_input_tokens, total_tokens = total_tokens + excluded.total_tokens, cost_e8 = cost_e8 + excluded.cost_e8;
        INSERT INTO usage_daily (day_ms, provider, model, trigger_type, runs, priced_runs, input_tokens, input_uncached_tokens, input_cache_read_tokens, input_cache_write_tokens_5m, input_cache_write_tokens_1h, input_cache_write_tokens_unknown, output_tokens, reasoning_tokens, tool_input_tokens, total_tokens, cost_e8)
        VALUES (
          NEW.timestamp_ms - NEW.timestamp_ms % 86400000, NEW.provider, NEW.model, NEW.trigger_type, 1, NEW.priced = 1 AND NEW.cost_usd IS NOT NULL,
          NEW.input_tokens, NEW.input_uncached_tokens, NEW.input_cache_read_tokens, NEW.input_cache_write_tokens_5m, NEW.input_cache_write_tokens_1h, NEW.input_cache_write_tokens_unknown, NEW.output_tokens, NEW.reasoning_tokens, NEW.tool_input_tokens, NEW.total_tokens, CASE WHEN NEW.priced = 1 AND NEW.cost_usd IS NOT NULL THEN CAST(round(NEW.cost_usd * 1e8) AS INTEGER) ELSE 0 END
        )
        ON CONFLICT (day_ms, provider, model, trigger_type) DO UPDATE SET
          runs = runs + 1, priced_runs = priced_runs + excluded.priced_runs, input_tokens = input_tokens + excluded.input_tokens, input_uncached_tokens = input_uncached_tokens + excluded.input_uncached_tokens, input_cache_read_tokens = input_cache_read_tokens + excluded.input_cache_read_tokens, input_cache_write_tokens_5m = input_cache_write_tokens_5m + excluded.input_cache_write_tokens_5m, input_cache_write_tokens_1h = input_cache_write_tokens_1h + excluded.input_cache_write_tokens_1h, input_cache_write_tokens_unknown = input_cache_write_tokens_unknown + excluded.input_cache_write_tokens_unknown, output_tokens = output_tokens + excluded.output_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, tool_input_tokens = tool_input_tokens + excluded.tool_input_tokens, total_tokens = total_tokens + excluded.total_tokens, cost_e8 = cost_e8 + excluded.cost_e8;
      END;
      CREATE TRIGGER usage_records_rollup_delete AFTER DELETE ON usage_records BEGIN
        UPDATE usage_hourly SET
          runs = runs - 1, priced_runs = priced_runs - (OLD.priced = 1 AND OLD.cost_usd IS NOT NULL), input_tokens = input_tokens - OLD.input_tokens, input_uncached_tokens = input_uncached_tokens - OLD.input_uncached_tokens, input_cache_read_tokens = input_cache_read_tokens - OLD.input_cache_read_tokens, input_cache_write_tokens_5m = input_cache_write_tokens_5m - OLD.input_cache_write_tokens_5m, input_cache_write_tokens_1h = input_cache_write_tokens_1h - OLD.input_cache_write_tokens_1h, input_cache_write_tokens_unknown = input_cache_write_tokens_unknown - OLD.input_cache_write_tokens_unknown, output_tokens = output_tokens - OLD.output_tokens, reasoning_tokens = reasoning_tokens - OLD.reasoning_tokens, tool_input_tokens = tool_input_tokens - OLD.tool_input_tokens, total_tokens = total_tokens - OLD.total_tokens, cost_e8 = cost_e8 - CASE WHEN OLD.priced = 1 AND OLD.cost_usd IS NOT NULL THEN CAST(round(OLD.cost_usd * 1e8) AS INTEGER) ELSE 0 END
        WHERE hour_ms = OLD.timestamp_ms - OLD.timestamp_ms % 3600000 AND provider = OLD.provider AND model = OLD.model AND trigger_type = OLD.trigger_type;
        UPDATE usage_daily SET
          runs = runs - 1, priced_runs = priced_runs - (OLD.priced = 1 AND OLD.cost_usd IS NOT NULL), input_tokens = input_tokens - OLD.input_tokens, input_uncached_tokens = input_uncached_tokens - OLD.input_uncached_tokens, input_cache_read_tokens = input_cache_read_tokens - OLD.input_cache_read_tokens, input_cache_write_tokens_5m = input_cache_write_tokens_5m - OLD.input_cache_write_tokens_5m, input_cache_write_tokens_1h = input_cache_write_tokens_1h - OLD.input_cache_write_tokens_1h, input_cache_write_tokens_unknown = input_cache_write_tokens_unknown - OLD.input_cache_write_tokens_unknown, output_tokens = output_tokens - OLD.output_tokens, reasoning_tokens = reasoning_tokens - OLD.reasoning_tokens, tool_input_tokens = tool_input_tokens - OLD.tool_input_tokens, total_tokens = total_tokens - OLD.total_tokens, cost_e8 = cost_e8 - CASE WHEN OLD.priced = 1 AND OLD.cost_usd IS NOT NULL THEN CAST(round(OLD.cost_usd * 1e8) AS INTEGER) ELSE 0 END
        WHERE day_ms = OLD.timestamp_ms - OLD.timestamp_ms % 86400000 AND provider = OLD.provider AND model = OLD.model AND trigger_type = OLD.trigger_type;
      END;
      INSERT INTO usage_hourly (hour_ms, provider, model, trigger_type, runs, priced_runs, input_tokens, input_uncached_tokens, input_cache_read_tokens, input_cache_write_tokens_5m, input_cache_write_tokens_1h, input_cache_write_tokens_unknown, output_tokens, reasoning_tokens, tool_input_tokens, total_tokens, cost_e8)
        SELECT timestamp_ms - timestamp_ms % 3600000, provider, model, trigger_type, COUNT(*), SUM(priced = 1 AND cost_usd IS NOT NULL),
          SUM(input_tokens), SUM(input_uncached_tokens), SUM(input_cache_read_tokens), SUM(input_cache_write_tokens_5m), SUM(input_cache_write_tokens_1h), SUM(input_cache_write_tokens_unknown), SUM(output_tokens), SUM(reasoning_tokens), SUM(tool_input_tokens), SUM(total_tokens), SUM(CASE WHEN usage_records.priced = 1 AND usage_records.cost_usd IS NOT NULL THEN CAST(round(usage_records.cost_usd * 1e8) AS INTEGER) ELSE 0 END)
        FROM usage_records GROUP BY 1, 2, 3, 4;
      INSERT INTO usage_daily (day_ms, provider, model, trigger_type, runs, priced_runs, input_tokens, input_uncached_tokens, input_cache_read_tokens, input_cache_write_tokens_5m, input_cache_write_tokens_1h, input_cache_write_tokens_unknown, output_tokens, reasoning_tokens, tool_input_tokens, total_tokens, cost_e8)
        SELECT timestamp_ms - timestamp_ms % 86400000, provider, model, trigger_type, COUNT(*), SUM(priced = 1 AND cost_usd IS NOT NULL),
          SUM(input_tokens), SUM(input_uncached_tokens), SUM(input_cache_read_tokens), SUM(input_cache_write_tokens_5m), SUM(input_cache_write_tokens_1h), SUM(input_cache_write_tokens_unknown), SUM(output_tokens), SUM(reasoning_tokens), SUM(tool_input_tokens), SUM(total_tokens), SUM(CASE WHEN usage_records.priced = 1 AND usage_records.cost_usd IS NOT NULL THEN CAST(round(usage_records.cost_usd * 1e8) AS INTEGER) ELSE 0 END)
        FROM usage_records GROUP BY 1, 2, 3, 4;
      CREATE INDEX usage_by_session_time ON usage_records (session_id, timestamp_ms);
      CREATE INDEX usage_by_provider_time ON usage_records (provider, timestamp_ms);
      CREATE INDEX usage_by_model_time ON usage_records (model COLLATE NOCASE, timestamp_ms);
    `,
  },
  {
    version: 7,
    description: 'usage records say whether their counts were estimated (a model stream that ended early reports none)',
    sql: `
      ALTER TABLE usage_records ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0 CHECK (estimated IN (0, 1));
    `,
  },
  {
    version: 8,
    description: 'runs: one row per turn (chat, cron, heartbeat) with its status, timings, model, usage and approvals',
    sql: `
      CREATE TABLE runs (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'waiting_approval', 'completed', 'failed', 'cancelled', 'interrupted')),
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER,
        model TEXT,
        attempts INTEGER NOT NULL DEFAULT 1,
        usage TEXT,
        error TEXT,
        approval_ids TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX runs_by_session ON runs (session_id, seq);
      CREATE INDEX runs_by_status ON runs (status, seq);
    `,
  },
  {
    version: 9,
    description: 'approvals: tool calls that wait for a decision, and the decision (who, when, why)',
    sql: `
      CREATE TABLE approvals (
        seq INTEGER PRIMARY KEY,
        approval_id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        trigger_type TEXT NOT NULL,
        tool TEXT NOT NULL,
        args TEXT NOT NULL,
        permission_level TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'edited', 'rejected', 'expired', 'cancelled')),
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        decided_ms INTEGER,
        decided_by TEXT,
        reason TEXT,
        edited_args TEXT
      ) STRICT;
      CREATE INDEX approvals_by_status ON approvals (status, seq);
      CREATE INDEX approvals_by_run ON approvals (run_id, seq);
    `,
  },
  {
    version: 10,
    description: 'tool audit: the model whose call it was (model routing)',
    sql: `ALTER TABLE tool_audit ADD COLUMN model TEXT;`,
  },
  {
    version: 11,
    description: 'run checkpoints: the state of a run paused for approvals, so it goes on after a restart',
    sql: `
      CREATE TABLE run_checkpoints (
        run_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 12,
    description: 'session list indexes ascending: read backwards they give each list its order with no sort',
    // A `(updated_at DESC)` index holds ties in rowid order ascending, so the lists (newest first, ties newest
    // first) sorted every group of equal times again: 2 ms of a 10,000-session list (README "Foundation").
    // `sessions_by_scope_updated` served no query (archived first, not by time); the list of both scopes now has one.
    // Run again (a database set back to 11 by hand, README), it drops what it made and makes it anew.
    sql: `
      DROP INDEX IF EXISTS sessions_active_by_updated;
      DROP INDEX IF EXISTS sessions_archived_by_updated;
      DROP INDEX IF EXISTS sessions_by_scope_updated;
      DROP INDEX IF EXISTS sessions_by_updated;
      CREATE INDEX sessions_active_by_updated ON sessions (updated_at) WHERE archived_at IS NULL;
      CREATE INDEX sessions_archived_by_updated ON sessions (updated_at) WHERE archived_at IS NOT NULL;
      CREATE INDEX sessions_by_updated ON sessions (updated_at, (archived_at IS NULL));
    `,
  },
];
