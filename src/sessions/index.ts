// Public surface of sessions: the service, the per-agent view, the storage ports, the shapes, and the model's view of a history.
export {
  createSessionsService,
  type CompressionResult,
  type SessionAssistant,
  type SessionHistory,
  type SessionRunHolds,
  type SessionsService,
  type SessionsServiceDeps,
  type SessionTokens,
} from './sessions.service';
export { SUMMARY_MAX_CHARS } from './compression';
export type { AgentSessions, TurnHistory } from './agent-sessions';
export type { MessageStore, SessionCounts, SessionPorts, SessionStore } from './session.port';
export {
  DEFAULT_SESSION_TITLE,
  type EnqueueOutcome,
  type LiveResponse,
  type NewMessage,
  type QueuedMessage,
  type SessionMeta,
  type SessionRecord,
  type SessionScope,
  type StoredMessage,
  type ToolCallRecord,
} from './session-types';
export { toModelHistory, type ModelMessage } from './model-history';
