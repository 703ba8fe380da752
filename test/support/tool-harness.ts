// A real agent folder, database and tool registry for tool tests, without an HTTP server.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeConfigSchema, type RuntimeConfig } from '../../src/config/runtime-config.schema';
import { AGENT_DB_MIGRATIONS } from '../../src/db/agent-db.schema';
import { openDatabase } from '../../src/db/open-database';
import type { RetrievalSearcher } from '../../src/retrieval/retrieval-search';
import { createSandbox, type Sandbox } from '../../src/security/sandbox';
import type { HostResolver } from '../../src/security/url-guard';
import { createSqliteSessionStore, type SessionStore } from '../../src/sessions/session.store';
import { systemClock } from '../../src/shared/clock';
import { createBuiltinTools } from '../../src/tools/builtin-tools';
import { createToolAuditStore, type ToolAuditStore } from '../../src/tools/tool-audit.store';
import { createToolRegistry, type RunTools, type ToolDefinition, type ToolRegistry, type TriggerType } from '../../src/tools/tool-registry';
import type { ToolEnvelope } from '../../src/tools/tool-result';
import { makeTempDir } from './temp-dir';

/** A tool result with loosely typed data, for assertions. */
export type TestEnvelope = Omit<ToolEnvelope, 'data' | 'error'> & { data: any; error: (Omit<NonNullable<ToolEnvelope['error']>, 'details'> & { details: any }) | null };

export interface ToolHarnessOptions {
  /** Runtime config keys (parsed with the real schema). */
  config?: Record<string, unknown>;
  sandbox?: Sandbox;
  resolver?: HostResolver;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  definitions?: ToolDefinition[];
  retrieval?: RetrievalSearcher;
}

export interface ToolHarness {
  /** The temporary data folder holding the agent folder. */
  dataDir: string;
  root: string;
  config: RuntimeConfig;
  sessions: SessionStore;
  registry: ToolRegistry;
  audit: ToolAuditStore;
  forRun(trigger?: TriggerType): RunTools;
  /** Calls a tool through the registry and runner, as the chat loop does; returns the parsed JSON result. */
  call(name: string, args: unknown, options?: { trigger?: TriggerType; runId?: string }): Promise<TestEnvelope>;
  [Symbol.dispose](): void;
}

export function createToolHarness(options: ToolHarnessOptions = {}): ToolHarness {
  const temp = makeTempDir('moc-tools-');
  const root = join(temp.path, 'workspaces', 'agent');
  for (const folder of ['workspace', 'memory', 'knowledge', 'storage']) mkdirSync(join(root, folder), { recursive: true });
  const db = openDatabase(join(root, 'storage', 'agent.db'), AGENT_DB_MIGRATIONS);
  const sessions = createSqliteSessionStore(db, systemClock);
  sessions.create('Harness session', 'session-1');
  const config = runtimeConfigSchema.parse(options.config ?? {});
  const sandbox = options.sandbox ?? sharedSandbox;
  // The search tools are tested against the real index through a server (test/integration/retrieval/search-tools).
  const retrieval = options.retrieval ?? {
    search: () => Promise.reject(new Error('this tool harness has no retrieval index; test search tools through the server')),
  };
  const definitions =
    // No server listens for a harness: allow_network reaches no API of ours.
    options.definitions ?? createBuiltinTools({ retrieval, sandbox, env: options.env ?? {}, serverApiOpen: false, resolver: options.resolver, fetch: options.fetch });
  const registry = createToolRegistry(definitions, { sandboxAvailable: () => sandbox.isAvailable() });
  const forRun = (trigger: TriggerType = 'chat') =>
    registry.forRun({ agentId: 'agent', agentRoot: root, sessionId: 'session-1', triggerType: trigger, config, db, sessions });
  return {
    dataDir: temp.path,
    root,
    config,
    sessions,
    registry,
    audit: createToolAuditStore(db, join(root, 'storage', 'tool_audit.jsonl')),
    forRun,
    async call(name, args, callOptions = {}) {
      const text = await forRun(callOptions.trigger).execute({ name, args, runId: callOptions.runId ?? 'run-1' });
      return JSON.parse(text);
    },
    [Symbol.dispose]() {
      db.close();
      rmSync(temp.path, { recursive: true, force: true });
    },
  };
}

/** The machine's sandbox, probed once for every harness of a test file. */
const sharedSandbox = createSandbox();

/** A sandbox that says bubblewrap is missing. */
export const noSandbox: Sandbox = createSandbox({ bwrap: null });
