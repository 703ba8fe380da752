// Public surface of chat: the service, its live runs, the session assistant, the prompt builder, events and token counts.
export {
  createChatService,
  type ChatPorts,
  type ChatService,
  type ChatServiceDeps,
  type StartedTurn,
  type TurnOptions,
} from './chat-service';
export { createRunRegistry, type RunRegistry } from './run-registry';
export { createSessionAssistant } from './session-assistant';
export { createPromptBuilder, type PromptBuilder } from './prompt-builder';
export type { ChatEvent, ChatEventType } from './chat-events';
export type { Subscription } from './live-run';
export type { AgentTurnResult } from './run-agent';
export { countTokens } from './token-counter';
export { recoverOrphanedRuns, startOrphanSweeper } from './orphaned-runs';
