// A real agent folder, database and tool registry for tool tests, without an HTTP server.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHandle } from '../../src/agents';
import { runtimeConfigSchema, type RuntimeConfig } from '../../src/config';
import type { RetrievalSearcher } from '../../src/retrieval/retrieval-search';
import { createSandbox, type HostResolver, type Sandbox } from '../../src/security';
import { createSessionsService, type AgentSessions } from '../../src/sessions';
import { systemClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/logger';
import type { AgentStorage } from '../../src/storage/agent-storage';
import { sqliteAgentStorage } from '../../src/storage/sqlite/open-sqlite-agent-storage';
import {
  createBuiltinTools,
  createToolsService,
  type RunTools,
  type ToolAuditStore,
  type ToolDefinition,
  type ToolEnvelope,
  type ToolsService,
  type TriggerType,
} from '../../src/tools';
import { makeTempDir } from './temp-dir';

/** A tool result with loosely typed data, for assertions. */
export type TestEnvelope = Omit<ToolEnvelope, 'data' | 'error'> & {
  data: any;
  error: (Omit<NonNullable<ToolEnvelope['error']>, 'details'> & { details: any }) | null;
};

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
  sessions: AgentSessions;
  registry: ToolsService;
  audit: ToolAuditStore;
  forRun(trigger?: TriggerType): RunTools;
  /** Calls a tool through the registry and runner, as the chat loop does; returns the parsed JSON result. */
  call(name: string, args: unknown, options?: { trigger?: TriggerType; runId?: string }): Promise<TestEnvelope>;
  [Symbol.dispose](): void;
}

export function createToolHarness(options: ToolHarnessOptions = {}): ToolHarness {
  const temp = makeTempDir('moc-tools-');
  const root = join(temp.path, 'workspaces', 'agent');
  for (const folder of ['workspace', 'memory', 'knowledge', 'storage'])
    mkdirSync(join(root, folder), { recursive: true });
  const storage = sqliteAgentStorage({ clock: systemClock, logger: silentLogger })('agent', root);
  const config = runtimeConfigSchema.parse(options.config ?? {});
  // The agent as the sessions domain sees it: this folder, its storage and config, never deleted.
  const agent: AgentHandle<AgentStorage> = {
    id: 'agent',
    root,
    storage,
    config: () => config,
    signal: new AbortController().signal,
    resource: () => {
      throw new Error('the tool harness has no agent resources');
    },
    // The harness's agent lives as long as the harness: a lease has nothing to give back.
    lease: () => ({ ...agent, release: () => undefined, [Symbol.dispose]: () => undefined }),
  };
  const sessions = createSessionsService({
    agents: { dataDir: temp.path, ids: () => ['agent'], get: () => agent, subscribe: () => () => undefined },
    assistant: noAssistant,
    // The harness runs no chat turns: no session is ever busy.
    runs: {
      isBusy: async () => false,
      hold: (_agentId, _sessionId, _options, work) => work(new AbortController().signal),
    },
  }).of(agent);
  // The SQLite adapter has written the row when this call returns (its promise is already settled).
  void sessions.create('Harness session', 'session-1');
  const sandbox = options.sandbox ?? sharedSandbox;
  // The search tools are tested against the real index through a server (test/integration/retrieval/search-tools).
  const retrieval = options.retrieval ?? {
    search: () =>
      Promise.reject(new Error('this tool harness has no retrieval index; test search tools through the server')),
    searchAnswer: () =>
      Promise.reject(new Error('this tool harness has no retrieval index; test search tools through the server')),
  };
  const definitions =
    // No server listens for a harness: allow_network reaches no API of ours.
    options.definitions ??
    createBuiltinTools({
      retrieval,
      sandbox,
      env: options.env ?? {},
      serverApiOpen: false,
      resolver: options.resolver,
      fetch: options.fetch,
    });
  const registry = createToolsService(definitions, {
    sandboxAvailable: () => sandbox.isAvailable(),
    sandboxRetryReason: () => sandbox.retryReason(),
  });
  const forRun = (trigger: TriggerType = 'chat') =>
    registry.forRun({
      agentId: 'agent',
      agentRoot: root,
      sessionId: 'session-1',
      triggerType: trigger,
      config,
      audit: storage.toolAudit,
      sessions,
    });
  return {
    dataDir: temp.path,
    root,
    config,
    sessions,
    registry,
    audit: storage.toolAudit,
    forRun,
    async call(name, args, callOptions = {}) {
      const text = await forRun(callOptions.trigger).execute({ name, args, runId: callOptions.runId ?? 'run-1' });
      return JSON.parse(text);
    },
    [Symbol.dispose]() {
      storage.close();
      rmSync(temp.path, { recursive: true, force: true });
    },
  };
}

/** The machine's sandbox, probed once for every harness of a test file. */
const sharedSandbox = createSandbox();

/** A sandbox that says bubblewrap is missing. */
export const noSandbox: Sandbox = createSandbox({ bwrap: null });

/** The harness calls no model: sessions it creates need no titles, summaries or prompts. */
const noAssistant = {
  title: async (_agent: unknown, seed: string) => seed,
  summarize: async () => null,
  systemPrompt: () => '',
  countTokens: async () => 0,
};
