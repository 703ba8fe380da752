// The sessions domain's storage ports: sessions (SessionStore) and their messages (MessageStore), per agent.
import type {
  EnqueueOutcome,
  LiveResponse,
  NewMessage,
  QueuedMessage,
  SessionMeta,
  SessionRecord,
  SessionScope,
  StoredMessage,
} from './session-types';

/** Session counts for the agent listing. */
export interface SessionCounts {
  active: number;
  archived: number;
  /** The newest `updatedAt` of any session, null without sessions. */
  lastUpdatedAt: number | null;
}

/** One agent's sessions. Times are epoch seconds from the adapter's clock. */
export interface SessionStore {
  /**
   * Newest first (by `updatedAt`, ties newest-created first; in `all`, active before archived). Internal
   * sessions (ids starting `__`: cron jobs, the heartbeat) only with `includeInternal`.
   */
  list(scope: SessionScope, options?: { includeInternal?: boolean }): Promise<SessionMeta[]>;
  /**
   * A value that differs after any change a `list` could show, however made (this process or another), so that an
   * unchanged list need not be read again; null when the adapter cannot tell (read `list` each time then). Read it
   * before the list it stands for.
   */
  listStamp(): Promise<string | null>;
  /** Stores a new active session. */
  create(sessionId: string, title: string): Promise<SessionMeta>;
  /** The session (active or archived) with its summary and live snapshot, or null when the id is unknown. */
  find(sessionId: string): Promise<SessionRecord | null>;
  /** Sets the title and touches `updatedAt`; the session after the change, or null when it is gone. */
  rename(sessionId: string, title: string): Promise<SessionMeta | null>;
  archive(sessionId: string): Promise<void>;
  restore(sessionId: string): Promise<void>;
  /** Removes the session, its messages and its compression archive. */
  delete(sessionId: string): Promise<void>;
  /** Sets or clears the live snapshot of a run in progress (touches `updatedAt`). */
  setLiveResponse(sessionId: string, live: LiveResponse | null): Promise<void>;
  /**
   * After an unclean stop: keeps each run's last live snapshot (with content) as an `interrupted` reply and
   * clears it; `sessionIds` narrows it to those sessions. Returns how many snapshots there were.
   */
  recoverInterrupted(sessionIds?: readonly string[]): Promise<number>;
  /** Sessions holding a live snapshot now (a run in progress, or one whose process stopped). */
  liveSessionIds(): Promise<string[]>;
  counts(): Promise<SessionCounts>;
}

/** The messages of one agent's sessions, in the order they were stored. */
export interface MessageStore {
  list(sessionId: string): Promise<StoredMessage[]>;
  /**
   * Appends in order, stamped now, and touches the session. With `endLive`, the session's live snapshot is cleared
   * in the same write: a run's stored reply and its snapshot are never seen together. 404 `not_found` when the
   * session is missing or archived.
   */
  append(sessionId: string, messages: readonly NewMessage[], options?: { endLive?: boolean }): Promise<void>;
  /** A mark for `deleteAfter`: grows with every append; 0 for a session without messages. */
  lastId(sessionId: string): Promise<number>;
  /**
   * Removes the session's messages stored after `mark` (a turn that is not to be kept), except queued ones: a message
   * a client enqueued meanwhile waits to run, it is not the turn's.
   */
  deleteAfter(sessionId: string, mark: number): Promise<void>;
  /**
   * Moves the first `count` messages into the compression archive and stores `compressedContext` as the
   * session's summary, atomically; `remaining` counts the messages left. Queued messages are neither moved nor
   * counted (they wait for their own turn). 404 `not_found` when the session is missing or archived.
   */
  compress(
    sessionId: string,
    count: number,
    compressedContext: string,
  ): Promise<{ archived: StoredMessage[]; remaining: number }>;
  /** Earlier compressions of a session, oldest first. */
  archives(sessionId: string): Promise<{ compressedAt: number; messages: StoredMessage[] }[]>;
  /** Whether the agent has any stored message in any session. */
  any(): Promise<boolean>;
  /**
   * Appends `content` as a `queued` user message (touching the session) while the session holds fewer than
   * `limit` queued ones, else stores nothing and answers `full`. Atomic: enqueues arriving together, also from
   * other processes on the same database, never leave more than `limit` queued. 404 as `append`.
   */
  enqueue(sessionId: string, content: string, limit: number): Promise<EnqueueOutcome>;
  /** The session's `queued` messages, oldest first. */
  queued(sessionId: string): Promise<QueuedMessage[]>;
  /** Takes queued message `id` out of the session; false when it is no longer there (taken or deleted). */
  removeQueued(sessionId: string, id: number): Promise<boolean>;
  /**
   * Takes queued message `id` out of the session and appends `messages` (its turn's user message) in one write, so
   * no read sees the session without either; false, changing nothing, when it is no longer queued (taken by another
   * replica, or deleted). 404 `not_found`, changing nothing, when the session is missing or archived.
   */
  takeQueued(sessionId: string, id: number, messages: readonly NewMessage[]): Promise<boolean>;
  /** Active sessions holding queued messages, in the order of their oldest one. */
  sessionsWithQueued(): Promise<string[]>;
}

/** The ports an agent storage bundle carries for the sessions domain. */
export interface SessionPorts {
  sessions: SessionStore;
  messages: MessageStore;
}
