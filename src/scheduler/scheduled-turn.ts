// One scheduled agent turn through the chat service, in a session the scheduler owns.
import type { AgentHandle } from '../agents';
import type { SessionsService } from '../sessions';
import type { SchedulerStorage } from './scheduler-storage';
import type { ChatService } from '../chat';
import { isAppError } from '../shared/app-error';
import { redactSecrets } from '../shared/redact';

export const RESPONSE_PREVIEW_CHARS = 200;

/** The rules a cron run's prompt carries (the session keeps only the job's own prompt). */
export const CRON_RULES = [
  '[Scheduled run rules]',
  '- This message comes from a scheduled job, not from a person waiting to answer questions: carry out the task above directly.',
  '- When the task needs current outside information, use your tools before answering: search first (web_search), then open and check the pages (web_fetch or fetch_url).',
  '- Name the source URLs you relied on and when you retrieved them.',
  '- If a tool fails, say which one and why, then continue with the best information you could verify.',
].join('\n');

export const HEARTBEAT_OK = 'HEARTBEAT_OK';

/** The rules a heartbeat's checklist carries. */
export const HEARTBEAT_RULES = [
  '[Heartbeat rules]',
  '- This is a periodic check, not a message from a person: go through the checklist above.',
  `- If nothing needs attention, reply with exactly ${HEARTBEAT_OK} and nothing else.`,
  '- Otherwise report briefly what needs attention and why.',
].join('\n');

export function cronSessionId(jobId: string): string {
  return `__cron__:${jobId}`;
}

export interface ScheduledTurn {
  agent: AgentHandle<SchedulerStorage>;
  sessionId: string;
  /** Title given to the session when the scheduler has to create it. */
  title: string;
  /** What the session keeps as the user message. */
  prompt: string;
  rules: string;
  trigger: 'cron' | 'heartbeat';
  /** The turn's messages are dropped from the session when its answer is this text (see TurnOptions). */
  discardIfAnswer?: string;
  /** Told when the turn starts waiting for tool approvals and when it goes on (its history row shows it). */
  onApprovalWait?: (waiting: boolean, runId: string) => Promise<void>;
}

export interface ScheduledTurnResult {
  content: string;
  runId: string;
}

/** Runs the turn to its end (the session created or restored first). Throws on failure; the error's message is safe to store (secrets redacted). */
export async function runScheduledTurn(
  chat: Pick<ChatService, 'runOnce'>,
  sessions: Pick<SessionsService, 'of'>,
  turn: ScheduledTurn,
): Promise<ScheduledTurnResult> {
  await sessions.of(turn.agent).ensure(turn.sessionId, turn.title);
  const { result } = await chat.runOnce(turn.agent.id, turn.sessionId, `${turn.prompt}\n\n${turn.rules}`, {
    trigger: turn.trigger,
    skipTitle: true,
    storedMessage: turn.prompt,
    onApprovalWait: turn.onApprovalWait,
    discardIfAnswer: turn.discardIfAnswer,
  });
  return { content: result.content.trim(), runId: result.runId };
}

/** When `error` says the turn was cancelled through the runs API: `{ runId }` (null when unknown); otherwise null. */
export function cancelledTurn(error: unknown): { runId: string | null } | null {
  if (!isAppError(error) || error.code !== 'run_cancelled') return null;
  return { runId: typeof error.details?.run_id === 'string' ? error.details.run_id : null };
}

/** Whether `error` says the turn ended because the server is stopping (its run stored `interrupted`). */
export function isStoppedTurn(error: unknown): boolean {
  return isAppError(error) && error.code === 'not_ready';
}

/** A failure as text for a run row: the AppError message (and model error code), never a stack. */
export function describeFailure(error: unknown): string {
  if (isAppError(error)) {
    const code =
      typeof error.details?.code === 'string' && error.details.code !== error.code ? ` (${error.details.code})` : '';
    return redactSecrets(`${error.message}${code}`);
  }
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

export function preview(text: string): string {
  return text.slice(0, RESPONSE_PREVIEW_CHARS);
}
