// Public surface of chat: the service, its live runs, the session assistant, the prompt builder, events and token counts.
export {
  createChatService,
  type ChatPorts,
  type ChatService,
  type ChatServiceDeps,
  type OnBusy,
  type StartedTurn,
  type TurnOptions,
} from './chat-service';
export { turnEvents } from './turn-events';
export { createRunRegistry, type RunRegistry } from './run-registry';
export { createRemoteCancel, type RemoteCancel } from './remote-cancel';
export { createSessionRuns, type SessionRuns } from './session-runs';
export { createReplicaWatch, type ReplicaWatch } from './replica-watch';
export { createRunLedger, type RunLedger, type RunLedgerTimers } from './run-ledger';
export { createRunsService, type RunQuery, type RunsService, type RunsServiceDeps } from './runs.service';
export { createTurnPriority, type TurnPriority } from './turn-priority';
export { warmUpTurn, type WarmUpResult } from './warm-up';
export { INTERRUPT_WRITES_MS } from './run-interrupter';
export { startCannedModel } from './canned-model';
export { configureModelWorkers } from './model-worker/worker-pool';
export { createSessionAssistant } from './session-assistant';
export { createPromptBuilder, type PromptBuilder } from './prompt-builder';
export type { ChatEvent, ChatEventType } from './chat-events';
export type { RunEvent, Subscription } from './live-run';
export type { RunPorts, RunRecord, RunStatus, RunStore } from './run-store.port';
export type { ApprovalPorts, ApprovalRecord, ApprovalStatus, ApprovalStore } from './approval-store.port';
export type { RunCheckpoint, RunCheckpointPorts, RunCheckpointStore } from './run-checkpoint.port';
export { createApprovalsService, type ApprovalsService, type DecisionInput } from './approvals.service';
export type { AgentTurnResult } from './run-agent';
export { countTokens, countTokensYielding } from './token-counter';
export { recoverOrphanedRuns, startOrphanSweeper } from './orphaned-runs';
