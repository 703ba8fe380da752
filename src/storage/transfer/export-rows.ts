// `mini-openclaw export`: every agent's rows as JSON Lines, read through the storage ports (either adapter).
import type { AgentStorage } from '../agent-storage';
import type { TransferStorage } from './transfer-storage';

export const EXPORT_FORMAT = 'mini-openclaw-export';
export const EXPORT_VERSION = 1;
/** "Everything": the stores take a limit, and no agent holds this many rows. */
const ALL = Number.MAX_SAFE_INTEGER;

/** One line of an export file (after the header line). Rows are the domains' own shapes. */
export type ExportLine =
  | { type: 'agent'; agent_id: string; created_at: number }
  | { type: 'session'; agent_id: string; session: Record<string, unknown>; messages: unknown[]; archives: unknown[] }
  | { type: 'usage'; agent_id: string; timestamp_ms: number; record: Record<string, unknown> }
  | { type: 'cron_job'; agent_id: string; job: Record<string, unknown> }
  | { type: 'cron_run'; agent_id: string; run: Record<string, unknown> }
  | { type: 'heartbeat_run'; agent_id: string; run: Record<string, unknown> }
  | { type: 'tool_audit'; agent_id: string; entry: Record<string, unknown> }
  | { type: 'run'; agent_id: string; run: Record<string, unknown> }
  | { type: 'approval'; agent_id: string; approval: Record<string, unknown> };

/** The lines of one agent, oldest rows first (so an import stores them in their original order). */
async function* agentLines(agentId: string, storage: AgentStorage): AsyncGenerator<ExportLine> {
  const agent_id = agentId;
  yield { type: 'agent', agent_id, created_at: await storage.agentMeta.createdAt() };
  const sessions = await storage.sessions.list('all', { includeInternal: true });
  for (const meta of sessions.reverse()) {
    const record = await storage.sessions.find(meta.sessionId);
    if (!record) continue;
    const { liveResponse: _live, archived: _archived, ...session } = record;
    yield {
      type: 'session',
      agent_id,
      session,
      messages: await storage.messages.list(meta.sessionId),
      archives: await storage.messages.archives(meta.sessionId),
    };
  }
  for (const { timestamp_ms, ...record } of (await storage.usage.records({ sinceMs: 0 }, ALL)).reverse())
    yield { type: 'usage', agent_id, timestamp_ms, record };
  for (const job of await storage.scheduler.listJobs()) yield { type: 'cron_job', agent_id, job: { ...job } };
  for (const run of (await storage.scheduler.listRuns(ALL)).reverse())
    yield { type: 'cron_run', agent_id, run: { ...run } };
  for (const run of (await storage.heartbeats.list(ALL)).reverse())
    yield { type: 'heartbeat_run', agent_id, run: { ...run } };
  for (const entry of await storage.toolAudit.list()) yield { type: 'tool_audit', agent_id, entry: { ...entry } };
  for (const run of await allRuns(storage)) yield { type: 'run', agent_id, run: { ...run } };
  for (const approval of (await storage.approvals.list({}, ALL)).reverse())
    yield { type: 'approval', agent_id, approval: { ...approval } };
}

/** Every run (chat, cron, heartbeat turns), oldest first, read page by page. */
async function allRuns(storage: AgentStorage) {
  const runs = [];
  let before: number | undefined;
  do {
    const page = await storage.runs.list({}, 500, before);
    runs.push(...page.runs);
    before = page.next ?? undefined;
  } while (before !== undefined);
  return runs.reverse();
}

/**
 * Writes the header and every agent's lines to `write`. Live snapshots of runs in progress are not
 * exported (stop the server first; a stopped run's snapshot is kept as an interrupted reply when its
 * SQLite storage opens). Returns the count of lines per type. Throws ExportAgentError naming the agent whose
 * rows could not be read (or `write`'s own error, wrapped the same way).
 */
export async function exportRows(
  source: TransferStorage,
  write: (line: string) => void | Promise<void>,
  nowMs: number,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await write(
    JSON.stringify({ type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at_ms: nowMs }),
  );
  for (const agentId of await source.agentIds()) {
    try {
      const storage = source.open(agentId);
      try {
        for await (const line of agentLines(agentId, storage)) {
          counts[line.type] = (counts[line.type] ?? 0) + 1;
          await write(JSON.stringify(line));
        }
      } finally {
        storage.close();
      }
    } catch (error) {
      throw new ExportAgentError(agentId, error);
    }
  }
  return counts;
}

/** An agent's rows could not be read (a damaged database, say): the message names the agent, then the cause's. */
export class ExportAgentError extends Error {
  readonly agentId: string;

  constructor(agentId: string, cause: unknown) {
    super(`agent ${agentId}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ExportAgentError';
    this.agentId = agentId;
  }
}
