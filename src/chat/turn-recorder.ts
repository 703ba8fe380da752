// Follows a turn's events: assistant segments with their tool calls, and the throttled live snapshot.
import type { AgentSessions, NewMessage, ToolCallRecord } from '../sessions';
import { toEpochSeconds, type Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { ChatEvent } from './chat-events';

const SNAPSHOT_INTERVAL_MS = 350;
/**
 * A live snapshot shows the current segment's latest calls, each output cut to a preview: every tool event writes
 * one, so with all calls and outputs a step of N parallel calls wrote O(N²) (4,000 calls: 5 GB in 6 s). A long
 * input shows as `{ preview }` of its JSON. The stored reply keeps every call whole, except one recovered from a
 * snapshot after a crash (`interrupted`), which has what the snapshot had.
 */
export const LIVE_TOOL_CALLS = 50;
export const LIVE_OUTPUT_CHARS = 4000;

/** Each call's input as snapshots show it: itself, or `{ preview }` of its JSON when that is longer (made once). */
const liveInputs = new WeakMap<ToolCallRecord, unknown>();

function liveInput(call: ToolCallRecord): unknown {
  if (liveInputs.has(call)) return liveInputs.get(call);
  const json = JSON.stringify(call.input) ?? '';
  const input = json.length <= LIVE_OUTPUT_CHARS ? call.input : { preview: `${json.slice(0, LIVE_OUTPUT_CHARS)}…` };
  liveInputs.set(call, input);
  return input;
}

function livePreview(call: ToolCallRecord): ToolCallRecord {
  const input = liveInput(call);
  if (typeof call.output !== 'string' || call.output.length <= LIVE_OUTPUT_CHARS)
    return input === call.input ? call : { ...call, input };
  return { ...call, input, output: `${call.output.slice(0, LIVE_OUTPUT_CHARS)}…` };
}

export interface Segment {
  content: string;
  toolCalls: ToolCallRecord[];
}

/** What a recorder holds mid-turn (a restored paused run's recorder starts from its checkpoint's steps). */
export interface RecorderState {
  segments: Segment[];
  current: Segment;
  runId: string;
}

export class TurnRecorder {
  private readonly segments: Segment[] = [];
  private current: Segment = { content: '', toolCalls: [] };
  private runId = '__pending__';
  private lastSnapshotAt = 0;
  private sessionGone = false;
  /** Set by `seal`: the run's own writes are dropped from then on. */
  private sealed = false;
  /**
   * How the reply `persist` stores ended (`completed` without a mark), once it began (the reply is stored, or being
   * stored, by the run itself); null before.
   */
  storedAs: 'completed' | 'failed' | 'cancelled' | null = null;
  /** The write under way (settled, never rejecting), for `seal` to wait for. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sessions: AgentSessions,
    private readonly sessionId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    restored?: RecorderState,
  ) {
    if (restored) {
      this.segments.push(...restored.segments);
      this.current = restored.current;
      this.runId = restored.runId;
    }
  }

  /** Updates segments from one event and writes the live snapshot when due. */
  async observe(event: ChatEvent): Promise<void> {
    switch (event.type) {
      case 'run_start':
        this.runId = event.data.run_id;
        return this.snapshot(true);
      case 'token':
        this.current.content += event.data.content;
        return this.snapshot(false);
      case 'tool_start':
        this.current.toolCalls.push({ tool: event.data.tool, input: event.data.input });
        return this.snapshot(true);
      case 'tool_end': {
        const open =
          this.current.toolCalls.find((call) => call.output === undefined && call.tool === event.data.tool) ??
          this.current.toolCalls.at(-1);
        if (open) open.output = event.data.output;
        return this.snapshot(true);
      }
      case 'new_response':
        this.closeSegment();
        return this.snapshot(true);
      default:
        return;
    }
  }

  /** Stores every segment with text or tool calls as an assistant message (marked `status` when given) and clears the snapshot. */
  async persist(status?: 'failed' | 'cancelled'): Promise<void> {
    if (this.sealed) return;
    this.storedAs = status ?? 'completed';
    this.closeSegment();
    const messages: NewMessage[] = this.segments.map((segment) => ({
      role: 'assistant',
      content: segment.content.trim(),
      toolCalls: segment.toolCalls,
      runId: this.runId === '__pending__' ? undefined : this.runId,
      ...(status ? { status } : {}),
    }));
    // Begun before any seal, it goes through whole (a seal meanwhile waits for it rather than drop the reply's tail).
    const storing = this.guard(async () => {
      // One write: a history read never sees the stored reply beside its snapshot.
      if (messages.length > 0) await this.sessions.append(this.sessionId, messages, { endLive: true });
      else await this.sessions.setLiveResponse(this.sessionId, null);
    }, true);
    this.writing = storing.catch(() => undefined);
    await storing;
  }

  /**
   * Drops every later write of the run (the server stops under it and stores its end itself). Resolves once the
   * write under way has landed and, with `lastSnapshot`, a last live snapshot of the reply so far is written (none
   * when the run began storing its reply): what the start-up sweep would keep, up to the last token.
   */
  async seal(lastSnapshot: boolean): Promise<void> {
    if (this.sealed) return this.writing;
    this.sealed = true;
    await this.writing;
    if (lastSnapshot && this.storedAs === null) await this.snapshot(true, true);
  }

  private closeSegment(): void {
    if (this.current.content.trim() || this.current.toolCalls.length > 0) this.segments.push(this.current);
    this.current = { content: '', toolCalls: [] };
  }

  private async snapshot(force: boolean, last = false): Promise<void> {
    const now = this.clock.nowMs();
    if (!force && now - this.lastSnapshotAt < SNAPSHOT_INTERVAL_MS) return;
    const content = [...this.segments.map((segment) => segment.content.trim()), this.current.content.trim()]
      .filter(Boolean)
      .join('\n\n');
    if (!content && this.current.toolCalls.length === 0) return;
    this.lastSnapshotAt = now;
    await this.guard(
      () =>
        this.sessions.setLiveResponse(this.sessionId, {
          runId: this.runId,
          content,
          toolCalls: this.current.toolCalls.slice(-LIVE_TOOL_CALLS).map(livePreview),
          updatedAt: toEpochSeconds(now),
        }),
      last,
    );
  }

  /**
   * A session deleted or archived mid-run is not brought back: later writes are dropped. A safety net only:
   * deleting a session cancels its run first and archiving one with a live run is refused (409 `session_busy`).
   * Once sealed, only `last` writes (the seal's own snapshot, and the reply's write begun before the seal).
   */
  private async guard(write: () => Promise<void>, last = false): Promise<void> {
    if (this.sessionGone || (this.sealed && !last)) return;
    const record = await this.sessions.find(this.sessionId);
    // Sealed while the session was read: the seal waits only for writes already under way.
    if (this.sealed && !last) return;
    if (!record || record.archived) {
      this.sessionGone = true;
      this.logger.warn('session removed during a run; its reply is not stored', { session_id: this.sessionId });
      return;
    }
    const writing = write();
    this.writing = writing.catch(() => undefined);
    await writing;
  }
}
