// `mini-openclaw import`: an export file's rows written through the storage ports, each at its own recorded time.
import type { ApprovalRecord, RunRecord } from '../../chat';
import type { CronJob, CronRun, HeartbeatRun } from '../../scheduler';
import type { NewMessage, StoredMessage } from '../../sessions';
import type { ToolAuditEntry } from '../../tools';
import type { UsageRecord } from '../../usage';
import type { AgentStorage } from '../agent-storage';
import type { ExportLine } from './export-rows';
import { checkExportLines, ImportRefused } from './import-check';
import type { SettableClock, TransferStorage } from './transfer-storage';

const KEEP_ALL = Number.MAX_SAFE_INTEGER;

/** Whether agent storage holds any row an import would add to (sessions, jobs, runs, usage). */
async function holdsRows(storage: AgentStorage): Promise<boolean> {
  const [sessions, jobs, runs, usage] = await Promise.all([
    storage.sessions.list('all', { includeInternal: true }),
    storage.scheduler.listJobs(),
    storage.scheduler.listRuns(1),
    storage.usage.records({ sinceMs: 0 }, 1),
  ]);
  return sessions.length + jobs.length + runs.length + usage.length > 0;
}

/** A run as stored: inserted running, then given its final state (the port only changes active runs). */
async function importRun(storage: AgentStorage, run: RunRecord): Promise<void> {
  const { runId, sessionId, trigger, startedMs, model, status, ...rest } = run;
  await storage.runs.insert({ runId, sessionId, trigger, startedMs, model });
  await storage.runs.update(runId, { ...rest, status });
}

/** An approval as stored: inserted pending, then decided as it was. */
async function importApproval(storage: AgentStorage, approval: ApprovalRecord): Promise<void> {
  const { status, decidedMs, decidedBy, reason, editedArgs, ...pending } = approval;
  await storage.approvals.insert(pending);
  if (status !== 'pending')
    await storage.approvals.decide(approval.approvalId, {
      status,
      decidedMs: decidedMs ?? 0,
      decidedBy: decidedBy ?? 'server',
      reason,
      ...(editedArgs === null ? {} : { editedArgs }),
    });
}

const toNew = ({ createdAt: _createdAt, ...message }: StoredMessage): NewMessage => message;

/** Recreates a session: its messages, compressions, summary, title change and archiving, each at its time. */
async function importSession(
  storage: AgentStorage,
  clock: SettableClock,
  line: Extract<ExportLine, { type: 'session' }>,
) {
  const session = line.session as {
    sessionId: string;
    title: string;
    createdAt: number;
    updatedAt: number;
    archivedAt: number | null;
    compressedContext: string;
  };
  const at = (seconds: number) => clock.set(seconds * 1000);
  const append = async (message: StoredMessage) => {
    at(message.createdAt);
    await storage.messages.append(session.sessionId, [toNew(message)]);
  };
  at(session.createdAt);
  await storage.sessions.create(session.sessionId, session.title);
  for (const archive of line.archives as { compressedAt: number; messages: StoredMessage[] }[]) {
    for (const message of archive.messages) await append(message);
    at(archive.compressedAt);
    await storage.messages.compress(session.sessionId, archive.messages.length, session.compressedContext);
  }
  for (const message of line.messages as StoredMessage[]) await append(message);
  at(session.updatedAt);
  await storage.sessions.rename(session.sessionId, session.title);
  if (session.archivedAt !== null) {
    at(session.archivedAt);
    await storage.sessions.archive(session.sessionId);
  }
}

/**
 * Imports `lines` (an export file, header first) into `target`. Reads them twice: first to check the
 * file (see `checkExportLines`) and that no target agent already holds rows (then nothing is written and
 * ImportRefused is thrown), then to write. Returns the count of lines per type.
 */
export async function importRows(
  target: TransferStorage,
  lines: () => AsyncIterable<string>,
  clock: SettableClock,
): Promise<Record<string, number>> {
  const agents = await checkExportLines(lines());
  const counts: Record<string, number> = {};
  // Every agent's rows land, or (failed or killed before the end) none of them.
  await target.importing(async (openAgent) => {
    const open = new Map<string, AgentStorage>();
    for (const [agentId, createdAt] of agents) {
      const storage = openAgent(agentId, createdAt);
      open.set(agentId, storage);
      if (await holdsRows(storage)) throw new ImportRefused(`agent ${agentId} already holds rows in the target`);
      await storage.agentMeta.createdAt();
    }
    for await (const text of lines()) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as ExportLine | { type: 'header' };
      if (line.type === 'header' || line.type === 'agent') continue;
      // The first pass saw every row's agent line before it; a file changed since is read as it is now.
      const storage = open.get(line.agent_id);
      if (!storage) throw new ImportRefused(`a ${line.type} row of agent ${line.agent_id} comes before its agent line`);
      counts[line.type] = (counts[line.type] ?? 0) + 1;
      await importLine(storage, clock, line);
    }
  });
  return { agent: agents.size, ...counts };
}

/** Writes one row line of an export file into its agent's storage. */
async function importLine(storage: AgentStorage, clock: SettableClock, line: ExportLine): Promise<void> {
  if (line.type === 'session') await importSession(storage, clock, line);
  else if (line.type === 'usage') await storage.usage.insert(line.record as unknown as UsageRecord, line.timestamp_ms);
  else if (line.type === 'cron_job') await storage.scheduler.insertJob(line.job as unknown as CronJob);
  else if (line.type === 'cron_run') {
    const run = line.run as unknown as CronRun;
    await storage.scheduler.addRuns([run], run.jobId, null);
  } else if (line.type === 'heartbeat_run')
    await storage.heartbeats.insert(line.run as unknown as HeartbeatRun, KEEP_ALL);
  else if (line.type === 'tool_audit') await storage.toolAudit.record(line.entry as unknown as ToolAuditEntry);
  else if (line.type === 'run') await importRun(storage, line.run as unknown as RunRecord);
  else if (line.type === 'approval') await importApproval(storage, line.approval as unknown as ApprovalRecord);
}
