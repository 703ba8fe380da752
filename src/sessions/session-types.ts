// Shapes of sessions and messages as the domain sees them (camelCase; the routes map to the wire).

export type SessionScope = 'active' | 'archived' | 'all';

/** `queued`: a user message waiting for the session's live run to end (POST /api/chat with `on_busy: enqueue`). */
export type MessageStatus = 'failed' | 'interrupted' | 'cancelled' | 'queued';
const MESSAGE_STATUSES: readonly string[] = ['failed', 'interrupted', 'cancelled', 'queued'];
export const isMessageStatus = (value: unknown): value is MessageStatus => MESSAGE_STATUSES.includes(value as string);

export interface ToolCallRecord {
  tool: string;
  input: unknown;
  output?: unknown;
}

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  toolCalls?: ToolCallRecord[];
  runId?: string;
  /** `failed`: the run ended in an error; `interrupted`: the server stopped mid-run; `cancelled`: a client stopped it. */
  status?: MessageStatus;
  createdAt: number;
}

export interface LiveResponse {
  runId: string;
  content: string;
  toolCalls: ToolCallRecord[];
  updatedAt: number;
}

export interface SessionMeta {
  sessionId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

export interface SessionRecord extends SessionMeta {
  archivedAt: number | null;
  compressedContext: string;
  liveResponse: LiveResponse | null;
}

/** A queued user message and the id it is taken out by. */
export interface QueuedMessage {
  id: number;
  content: string;
}

/**
 * What `MessageStore.enqueue` did: stored the message, or stored nothing because the session already held its
 * limit of queued messages (`full`: how many it holds).
 */
export type EnqueueOutcome = { stored: QueuedMessage } | { full: number };

export const DEFAULT_SESSION_TITLE = 'New Session';

/** A message to store; the store stamps its time. */
export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  toolCalls?: ToolCallRecord[];
  runId?: string;
  status?: MessageStatus;
}
