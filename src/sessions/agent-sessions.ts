// One agent's sessions with the domain's rules (404s, default titles, scheduler sessions, the model's view), over its ports.
import type { AgentHandle } from '../agents';
import { notFound } from '../shared/app-error';
import { toModelHistory, type ModelMessage } from './model-history';
import type { SessionPorts } from './session.port';
import {
  DEFAULT_SESSION_TITLE,
  type LiveResponse,
  type NewMessage,
  type SessionMeta,
  type SessionRecord,
  type SessionScope,
  type StoredMessage,
} from './session-types';

/** What a turn needs of its session before the model is called. */
export interface TurnHistory {
  /** The stored messages as the model sees them, the summary first. */
  history: ModelMessage[];
  /** No message stored in this session yet. */
  isFirstTurn: boolean;
  /** The agent has no stored message in any session yet. */
  isFirstConversation: boolean;
}

export interface AgentSessions {
  list(scope: SessionScope, options?: { includeInternal?: boolean }): Promise<SessionMeta[]>;
  /** See SessionStore.listStamp. */
  listStamp(): Promise<string | null>;
  find(sessionId: string): Promise<SessionRecord | null>;
  /** The session, or 404 `not_found`; `archived` selects which side must hold it. */
  get(sessionId: string, archived?: boolean): Promise<SessionRecord>;
  /** A new session: the title trimmed ("New Session" when absent), a new id unless given. */
  create(title?: string, sessionId?: string): Promise<SessionMeta>;
  /** Renames an active session (404 otherwise). */
  rename(sessionId: string, title: string): Promise<SessionMeta>;
  archive(sessionId: string): Promise<void>;
  restore(sessionId: string): Promise<void>;
  delete(sessionId: string, archived: boolean): Promise<void>;
  messages(sessionId: string): Promise<StoredMessage[]>;
  append(sessionId: string, messages: readonly NewMessage[], options?: { endLive?: boolean }): Promise<void>;
  setLiveResponse(sessionId: string, live: LiveResponse | null): Promise<void>;
  /** Makes sure a scheduler session exists and is active: created with `title`, or restored when archived. */
  ensure(sessionId: string, title: string): Promise<void>;
  /** A mark for `deleteMessagesAfter` (0 for a session that does not exist yet). */
  mark(sessionId: string): Promise<number>;
  deleteMessagesAfter(sessionId: string, mark: number): Promise<void>;
  /** The session's history for the model and the first-turn flags. 404 when the session is not active. */
  turnHistory(sessionId: string): Promise<TurnHistory>;
}

/** The rules over `agent`'s ports; the ports are read on every call, so the view follows a storage reopened meanwhile. */
export function agentSessions(agent: AgentHandle<SessionPorts>, newId: () => string): AgentSessions {
  const find = (sessionId: string) => agent.storage.sessions.find(sessionId);
  const get = async (sessionId: string, archived = false): Promise<SessionRecord> => {
    const record = await find(sessionId);
    if (!record || record.archived !== archived)
      throw notFound(archived ? `Archived session not found: ${sessionId}` : 'Session not found');
    return record;
  };
  return {
    list: (scope, options) => agent.storage.sessions.list(scope, options),
    listStamp: () => agent.storage.sessions.listStamp(),
    find,
    get,
    create: (title, sessionId) =>
      agent.storage.sessions.create(sessionId ?? newId(), title === undefined ? DEFAULT_SESSION_TITLE : title.trim()),
    async rename(sessionId, title) {
      await get(sessionId);
      const renamed = await agent.storage.sessions.rename(sessionId, title);
      if (!renamed) throw notFound('Session not found');
      return renamed;
    },
    async archive(sessionId) {
      await get(sessionId);
      await agent.storage.sessions.archive(sessionId);
    },
    async restore(sessionId) {
      await get(sessionId, true);
      await agent.storage.sessions.restore(sessionId);
    },
    async delete(sessionId, archived) {
      await get(sessionId, archived);
      await agent.storage.sessions.delete(sessionId);
    },
    messages: (sessionId) => agent.storage.messages.list(sessionId),
    append: (sessionId, messages, options) => agent.storage.messages.append(sessionId, messages, options),
    setLiveResponse: (sessionId, live) => agent.storage.sessions.setLiveResponse(sessionId, live),
    async ensure(sessionId, title) {
      const record = await find(sessionId);
      if (!record) await agent.storage.sessions.create(sessionId, title.trim());
      else if (record.archived) await agent.storage.sessions.restore(sessionId);
    },
    mark: async (sessionId) => ((await find(sessionId)) ? agent.storage.messages.lastId(sessionId) : 0),
    deleteMessagesAfter: (sessionId, mark) => agent.storage.messages.deleteAfter(sessionId, mark),
    async turnHistory(sessionId) {
      const stored = (await agent.storage.messages.list(sessionId)).filter((message) => message.status !== 'queued');
      const record = await get(sessionId);
      const isFirstTurn = stored.length === 0;
      const isFirstConversation = isFirstTurn && !(await agent.storage.messages.any());
      return { history: toModelHistory(stored, record.compressedContext), isFirstTurn, isFirstConversation };
    },
  };
}
