// The chat service's surface: its ports, dependencies, turn options and what a started turn gives back.
import type { AgentDirectory, AgentHandle } from '../agents';
import type { LlmSettings } from '../config';
import type { LlmService } from '../llm';
import type { RetrievalSearcher } from '../retrieval';
import type { SessionPorts, SessionsService } from '../sessions';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { ToolPorts, ToolsService, TriggerType } from '../tools';
import type { ApprovalPorts } from './approval-store.port';
import type { ApprovalsService } from './approvals.service';
import type { AuxiliaryPorts } from './auxiliary-usage';
import type { LiveRun } from './live-run';
import type { PromptBuilder } from './prompt-builder';
import type { AgentTurnResult } from './run-agent';
import type { RunCheckpointPorts } from './run-checkpoint.port';
import type { RunLedger } from './run-ledger';
import type { RunRegistry } from './run-registry';
import type { RunPorts } from './run-store.port';
import type { TurnPriority } from './turn-priority';

/** The storage ports a chat turn uses. */
export type ChatPorts = SessionPorts & AuxiliaryPorts & ToolPorts & RunPorts & ApprovalPorts & RunCheckpointPorts;

export interface ChatServiceDeps {
  agents: AgentDirectory<ChatPorts>;
  sessions: Pick<SessionsService, 'of'>;
  /** The live runs (one per session, each holding the session's lock). */
  runs: RunRegistry;
  llmSettings: LlmSettings;
  /** Each agent's model route and the profiles' breakers. */
  llm: Pick<LlmService, 'route' | 'breakers'>;
  tools: ToolsService;
  prompts: PromptBuilder;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Memory search for rag mode; without it rag mode sends an empty `retrieval` event. */
  retrieval?: RetrievalSearcher;
  /** Where tool calls that need a decision (`tool_approvals`) wait. */
  approvals: ApprovalsService;
  /** Orders opening turns before finished turns' leftovers (one of its own when absent). */
  priority?: TurnPriority;
  /** The run rows, and the final writes storage refused, waiting for a retry (one of its own when absent). */
  ledger?: RunLedger;
}

/** How a turn was started: `chat` from the API, `cron`/`heartbeat` from the scheduler. */
export interface TurnOptions {
  trigger?: TriggerType;
  /** Skip the first-turn title (scheduled sessions are titled by their job). */
  skipTitle?: boolean;
  /** What the session keeps as the user message, when it differs from what the model is sent (scheduled runs add rules). */
  storedMessage?: string;
  /**
   * When the session already has a live run: `reject` (409 `session_busy`, or attach for the same message),
   * `enqueue` (stored `queued`, run when the session is free, in order), `interrupt` (cancel it, then run).
   */
  onBusy?: OnBusy;
  /** The queued message this turn runs (it leaves the queue as the turn stores its user message). */
  queuedId?: number;
  /**
   * Drops the turn's messages from the session when its answer (trimmed) is this text: a heartbeat's all-clear.
   * Done at the turn's end while the run still holds the session, so nothing else has written there; a run
   * restored after a restart keeps it (in its checkpoint).
   */
  discardIfAnswer?: string;
  /** Told when the run starts waiting for tool approvals (`true`) and when no call waits any more (`false`). */
  onApprovalWait?: (waiting: boolean, runId: string) => Promise<void> | void;
}

export type OnBusy = 'reject' | 'enqueue' | 'interrupt';

export interface StartedTurn {
  /** The run; for a queued message it settles when the message's turn comes (rejected if it cannot run then). */
  run: Promise<LiveRun>;
  /** Joined a live run with the same message: send its events from now on (otherwise from its first). */
  attached: boolean;
  /** The message waits behind the session's live run. */
  queued: boolean;
}

export interface ChatService {
  /**
   * Validates, then starts (or attaches to, or queues behind, per `options.onBusy`) the session's run.
   * 404, 409 `session_busy`, 429 `budget_exceeded`, 503 `llm_not_configured`.
   */
  start(agentId: string | undefined, sessionId: string, message: string, options?: TurnOptions): Promise<StartedTurn>;
  /** Runs a turn to its end and returns its outcome (throws 502 when the model failed). */
  runOnce(
    agentId: string | undefined,
    sessionId: string,
    message: string,
    options?: TurnOptions,
  ): Promise<{ agent: AgentHandle<ChatPorts>; result: AgentTurnResult }>;
  isBusy(agentId: string, sessionId: string): Promise<boolean>;
  /** Resolves when every live run has finished. */
  drain(): Promise<void>;
  /**
   * The server stops with runs still live: each ends `interrupted` in storage now, its reply so far kept, and is
   * cancelled (a run paused for approvals is left for the next start); then they have `endMs` to finish. Never
   * rejects; returns how many were stored interrupted (see `RunInterrupter.interruptAll`).
   */
  interruptLive(endMs: number): Promise<number>;
  /** Runs the messages an earlier process left queued (in the background): all agents', or `agentIds`'. */
  resumeQueued(agentIds?: readonly string[]): Promise<void>;
  /** Restores the runs an earlier process left paused for approvals (they wait again, then go on): all agents', or `agentIds`'. */
  resumePaused(agentIds?: readonly string[]): Promise<number>;
}
