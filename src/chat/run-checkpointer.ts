// A run's checkpoint: what its turn did so far, followed in memory, written only while it waits for approvals.
import type { ModelMessage } from '../sessions';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { TriggerType } from '../tools';
import type { LiveRun } from './live-run';
import { textOf } from './message-text';
import type { RunCheckpointStore } from './run-checkpoint.port';

export interface TurnToolCall {
  id: string;
  name: string;
  args: unknown;
}

/** One message of the turn after the user's: a model step (with its tool calls) or a tool result. */
export type TurnStep =
  | {
      role: 'assistant';
      content: string;
      toolCalls: TurnToolCall[];
      /** The usage the model reported for the step, as its message carried it (counted again on resume). */
      meta?: { usage_metadata?: unknown; response_metadata?: unknown };
    }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** A turn whose messages go when its answer is `answer`: they follow message `mark` (TurnOptions.discardIfAnswer). */
export interface TurnDiscard {
  mark: number;
  answer: string;
}

/** The state a paused run goes on from after a restart (the checkpoint's JSON document). */
export interface PausedTurn {
  version: 1;
  trigger: TriggerType;
  /** The message the turn was started with (a same-message request attaches to the run). */
  message: string;
  /** The run id of the attempt that paused: its tool calls are run and audited under it. */
  attemptRunId: string;
  attempts: number;
  systemPrompt: string;
  history: ModelMessage[];
  /** The user's turn as the model saw it. */
  modelMessage: string;
  steps: TurnStep[];
  /** The calls of the last model step that wait for a decision: tool call id → approval id. */
  approvals: Record<string, string>;
  /** The number the run's next event gets. */
  nextSeq: number;
  /** Absent in checkpoints written before it existed: their answer is kept. */
  discard?: TurnDiscard;
}

export interface RunCheckpointerDeps {
  store: () => RunCheckpointStore;
  run: LiveRun;
  sessionId: string;
  trigger: TriggerType;
  message: string;
  clock: Clock;
  logger: Logger;
  /** The attempts so far, asked when a checkpoint is written. */
  attempts: () => number;
  discard?: TurnDiscard;
}

/** Writes of a paused call's checkpoint before it is announced, while other events keep coming during them. */
const PAUSED_WRITE_TRIES = 3;

/**
 * Follows the turn (the model's steps and the tool results, in memory: a turn that never pauses writes
 * nothing) and, while a call waits for its approval, keeps the run's checkpoint written: when the call
 * starts waiting, when a sibling call's result comes, and deleted once no call waits any more.
 */
export class RunCheckpointer {
  private systemPrompt = '';
  private history: ModelMessage[] = [];
  private modelMessage = '';
  private steps: TurnStep[] = [];
  private attemptRunId: string | null = null;
  private readonly waiting = new Map<string, string>();
  private written = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RunCheckpointerDeps) {}

  /** An attempt opens the model loop with this input (and, for a restored run, the steps it goes on from). */
  begin(input: { systemPrompt: string; history: ModelMessage[]; message: string; steps?: TurnStep[] }): void {
    this.systemPrompt = input.systemPrompt;
    this.history = input.history;
    this.modelMessage = input.message;
    this.steps = [...(input.steps ?? [])];
  }

  /** The attempt in progress runs (and audits) its tool calls under `runId`. */
  attempt(runId: string): void {
    this.attemptRunId = runId;
  }

  /** A model step as the agent got it. */
  modelStep(message: {
    content: unknown;
    tool_calls?: { id?: string; name: string; args: unknown }[];
    usage_metadata?: unknown;
    response_metadata?: unknown;
  }): void {
    const toolCalls = (message.tool_calls ?? []).map((call, index) => ({
      id: call.id ?? `call_${this.steps.length}_${index}`,
      name: call.name,
      args: call.args,
    }));
    const { usage_metadata, response_metadata } = message;
    this.steps.push({
      role: 'assistant',
      content: textOf(message.content),
      toolCalls,
      meta: { usage_metadata, response_metadata },
    });
  }

  /** A tool call's result; rewrites the checkpoint while a sibling call waits. */
  toolStep(toolCallId: string, name: string, content: string): void {
    this.steps.push({ role: 'tool', toolCallId, name, content });
    if (this.waiting.size > 0) this.write();
  }

  /** An event went out: while a call waits, the checkpoint follows the run's event numbers. */
  published(): void {
    if (this.waiting.size > 0) void this.write();
  }

  /**
   * Call `callId` waits for approval `approvalId`: the checkpoint is written, counting the event `announce`
   * publishes (its `approval_required`), and only then does `announce` run, so a client never hears of a wait
   * that a replica stopping now would leave without a checkpoint. Resolves once it has run. A checkpoint that
   * cannot be written is logged and the call announced all the same: it is decided here while this process
   * lives, and should it stop, the run ends `interrupted` with its approvals expired (no prompt left unanswerable).
   */
  paused(callId: string | undefined, approvalId: string, announce: () => void): Promise<void> {
    if (callId === undefined) {
      announce();
      return Promise.resolve();
    }
    this.waiting.set(callId, approvalId);
    return this.enqueue(async () => {
      try {
        // Another call of the step may publish meanwhile (its announcement would then come after the number
        // stored): written again, a few times at most, until no event came during the write.
        for (let tries = 0; tries < PAUSED_WRITE_TRIES; tries += 1) {
          const seq = this.deps.run.nextSeq;
          await this.put(1);
          if (this.deps.run.nextSeq === seq || this.waiting.size === 0) break;
        }
      } finally {
        announce();
      }
    });
  }

  /** Call `callId` was decided: the checkpoint goes once no call waits. */
  settled(callId: string | undefined): Promise<void> {
    if (callId === undefined || !this.waiting.delete(callId) || this.waiting.size > 0) return this.writes;
    return this.clear();
  }

  /** Deletes the checkpoint if one was written (the run ends, or goes on in this process). */
  clear(): Promise<void> {
    this.waiting.clear();
    return this.enqueue(async () => {
      if (!this.written) return;
      this.written = false;
      await this.deps.store().delete(this.deps.run.runId);
    });
  }

  /** The turn as it stands, its next event number counting `announcing` events about to be published. */
  snapshot(announcing = 0): PausedTurn {
    return {
      version: 1,
      trigger: this.deps.trigger,
      message: this.deps.message,
      attemptRunId: this.attemptRunId ?? this.deps.run.runId,
      attempts: this.deps.attempts(),
      systemPrompt: this.systemPrompt,
      history: this.history,
      modelMessage: this.modelMessage,
      steps: this.steps,
      approvals: Object.fromEntries(this.waiting),
      nextSeq: this.deps.run.nextSeq + announcing,
      ...(this.deps.discard && { discard: this.deps.discard }),
    };
  }

  private write(): Promise<void> {
    return this.enqueue(() => this.put(0));
  }

  /** Stores the checkpoint while a call waits (see `snapshot` for `announcing`). */
  private async put(announcing: number): Promise<void> {
    if (this.waiting.size === 0) return;
    await this.deps.store().put({
      runId: this.deps.run.runId,
      sessionId: this.deps.sessionId,
      state: this.snapshot(announcing),
      updatedMs: this.deps.clock.nowMs(),
    });
    this.written = true;
  }

  /** Writes one after another, in the order asked; a failed write is logged (the run still waits here). */
  private enqueue(write: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(write).catch((error) => {
      this.deps.logger.warn('run checkpoint not written', { run_id: this.deps.run.runId, error: String(error) });
    });
    return this.writes;
  }
}
