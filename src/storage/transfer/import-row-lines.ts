// The row lines of an export file, one entry per type: where its row is, what names it, and how an import stores it.
import type { ApprovalRecord, RunRecord } from '../../chat';
import type { CronJob, CronRun, HeartbeatRun } from '../../scheduler';
import type { NewMessage, StoredMessage } from '../../sessions';
import type { ToolAuditEntry } from '../../tools';
import type { UsageRecord } from '../../usage';
import type { AgentStorage } from '../agent-storage';
import type { ExportLine } from './export-rows';
import type { SettableClock } from './transfer-storage';

const KEEP_ALL = Number.MAX_SAFE_INTEGER;

type RowType = Exclude<ExportLine['type'], 'agent'>;
type LineOf<T extends RowType> = Extract<ExportLine, { type: T }>;

interface RowLine<T extends RowType> {
  /** The field of the line holding its row. */
  field: keyof LineOf<T> & string;
  /** The field of that row naming it, checked unique per agent; none for rows nothing refers to. */
  key?: string;
  /** Writes the line's row into its agent's storage. */
  store(storage: AgentStorage, line: LineOf<T>, clock: SettableClock): Promise<void>;
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
async function importSession(storage: AgentStorage, line: LineOf<'session'>, clock: SettableClock): Promise<void> {
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

/** Every row type an export file may hold; a type missing here is refused by the import's first pass. */
export const ROW_LINES: { [T in RowType]: RowLine<T> } = {
  session: { field: 'session', key: 'sessionId', store: importSession },
  usage: {
    field: 'record',
    store: (storage, line) => storage.usage.insert(line.record as unknown as UsageRecord, line.timestamp_ms),
  },
  cron_job: {
    field: 'job',
    key: 'id',
    store: (storage, line) => storage.scheduler.insertJob(line.job as unknown as CronJob),
  },
  cron_run: {
    field: 'run',
    key: 'id',
    store: async (storage, line) => {
      const run = line.run as unknown as CronRun;
      await storage.scheduler.addRuns([run], run.jobId, null);
    },
  },
  heartbeat_run: {
    field: 'run',
    store: (storage, line) => storage.heartbeats.insert(line.run as unknown as HeartbeatRun, KEEP_ALL),
  },
  tool_audit: {
    field: 'entry',
    store: (storage, line) => storage.toolAudit.record(line.entry as unknown as ToolAuditEntry),
  },
  run: { field: 'run', key: 'runId', store: (storage, line) => importRun(storage, line.run as unknown as RunRecord) },
  approval: {
    field: 'approval',
    key: 'approvalId',
    store: (storage, line) => importApproval(storage, line.approval as unknown as ApprovalRecord),
  },
};

/** The entry of a row line's `type`, if it names one (never one of Object's own keys). */
export function rowLineOf(type: unknown): RowLine<RowType> | undefined {
  return typeof type === 'string' && Object.hasOwn(ROW_LINES, type)
    ? (ROW_LINES[type as RowType] as unknown as RowLine<RowType>)
    : undefined;
}

/** Writes one row line of an export file into its agent's storage. */
export function storeRowLine(
  storage: AgentStorage,
  line: Exclude<ExportLine, { type: 'agent' }>,
  clock: SettableClock,
) {
  return (ROW_LINES[line.type] as unknown as RowLine<RowType>).store(storage, line as never, clock);
}
