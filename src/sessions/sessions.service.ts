// SessionsService: sessions at the edge (list, create, rename, archive, restore, delete, history), compression and titles.
import { withLease, type AgentDirectory, type AgentHandle, type AgentIdentity } from '../agents';
import { AppError } from '../shared/app-error';
import { followSignals } from '../shared/follow-signals';
import { newId as defaultNewId } from '../shared/ids';
import { agentSessions, type AgentSessions } from './agent-sessions';
import { nextCompressedContext, planCompression, SUMMARY_MAX_CHARS } from './compression';
import type { SessionPorts } from './session.port';
import type { SessionMeta, SessionRecord, SessionScope, StoredMessage } from './session-types';

/** What sessions ask of the chat domain: the model, the prompt and the tokenizer (wired by the composition root). */
export interface SessionAssistant<S> {
  /** The system prompt the agent's next turn would get. */
  systemPrompt(agent: AgentIdentity, options: { isFirstTurn: boolean; isFirstConversation: boolean }): string;
  /** Tokens of a text for the chat model (o200k_base). */
  /** Tokens of `text`; may return to the event loop meanwhile (a session can hold megabytes). */
  countTokens(text: string): Promise<number>;
  /** A one-line title for a conversation starting with `seed`; falls back to its first words, never throws. */
  title(agent: AgentHandle<S>, seed: string, sessionId: string): Promise<string>;
  /** A summary of `corpus`, or null when the model cannot be used (no model, budget blocks, the call fails or `signal` aborts it). */
  summarize(agent: AgentHandle<S>, sessionId: string, corpus: string, signal?: AbortSignal): Promise<string | null>;
}

/** The chat runs of a session as this domain needs them (chat's run registry and session runs give this). */
export interface SessionRunHolds {
  /** Whether a run is live on the session, here or (with shared storage) on another replica. */
  isBusy(agentId: string, sessionId: string): Promise<boolean>;
  /**
   * Runs `work` with the session held: no run (nor a queued message) starts on it until `work` ends. With
   * `cancel`, the session's live run is cancelled first and waited for (its lock let go of), and so is another
   * hold: its `work`'s signal aborts (a compress stops waiting on its model call); without, a live run makes it
   * 409 `session_busy` and another hold is waited for.
   */
  hold<T>(
    agentId: string,
    sessionId: string,
    options: { cancel: boolean },
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
}

export interface SessionsServiceDeps<S extends SessionPorts> {
  agents: AgentDirectory<S>;
  assistant: SessionAssistant<S>;
  /** The chat runs of a session: whether one is live (compression waits for it), and holding the session from them. */
  runs: SessionRunHolds;
  newId?: () => string;
}

export interface SessionHistory {
  agentId: string;
  record: SessionRecord;
  messages: StoredMessage[];
}

export interface SessionTokens {
  agentId: string;
  systemTokens: number;
  messageTokens: number;
  totalTokens: number;
}

export interface CompressionResult {
  agentId: string;
  archivedCount: number;
  remainingCount: number;
  summary: string;
}

export interface SessionsService {
  list(
    agentId: string | undefined,
    scope: SessionScope,
    options?: { includeInternal?: boolean },
  ): Promise<SessionMeta[]>;
  /** The agent's id (as resolved: trimmed, the default) and its SessionStore.listStamp; 404 for an unknown agent, like `list`. */
  listStamp(agentId: string | undefined): Promise<{ agentId: string; stamp: string | null }>;
  create(agentId: string | undefined, title?: string): Promise<SessionMeta>;
  rename(agentId: string | undefined, sessionId: string, title: string): Promise<SessionMeta>;
  archive(agentId: string | undefined, sessionId: string): Promise<void>;
  restore(agentId: string | undefined, sessionId: string): Promise<void>;
  delete(agentId: string | undefined, sessionId: string, archived: boolean): Promise<void>;
  /** The session (404 unless on the `archived` side asked for) and its messages. */
  history(agentId: string | undefined, sessionId: string, archived: boolean): Promise<SessionHistory>;
  /** `history` plus the system prompt the next turn would use. */
  historyWithPrompt(
    agentId: string | undefined,
    sessionId: string,
    archived: boolean,
  ): Promise<SessionHistory & { systemPrompt: string }>;
  /** Tokens of the system prompt and of the stored messages of an active session. */
  tokens(agentId: string | undefined, sessionId: string): Promise<SessionTokens>;
  /**
   * Summarises the older half (at least 4) of a session's messages into its summary; the originals stay
   * in the archive. 409 `session_busy` during a live run, 400 `invalid_state` below 4 messages. Without
   * the model (or with the budget blocking) the summary is the start of the text instead.
   */
  compress(agentId: string | undefined, sessionId: string): Promise<CompressionResult>;
  /** Titles a session from its first user message (or first message, or summary). 400 `invalid_state` when there is nothing. */
  generateTitle(agentId: string | undefined, sessionId: string): Promise<string>;
  /** One agent's sessions with the domain's rules, for other domains holding its handle (chat, scheduler, tools). */
  of(agent: AgentHandle<SessionPorts>): AgentSessions;
}

export function createSessionsService<S extends SessionPorts>(deps: SessionsServiceDeps<S>): SessionsService {
  const newId = deps.newId ?? defaultNewId;
  const of = (agent: AgentHandle<SessionPorts>) => agentSessions(agent, newId);
  const sessionsOf = (agentId: string | undefined) => of(deps.agents.get(agentId));

  return {
    list: (agentId, scope, options) => sessionsOf(agentId).list(scope, options),
    async listStamp(agentId) {
      const agent = deps.agents.get(agentId);
      return { agentId: agent.id, stamp: await of(agent).listStamp() };
    },
    create: (agentId, title) => sessionsOf(agentId).create(title),
    rename: (agentId, sessionId, title) => sessionsOf(agentId).rename(sessionId, title),
    async archive(agentId, sessionId) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        await sessions.get(sessionId);
        // Archiving is for finished conversations: a live or waiting run, or messages queued to run, keep it active.
        await deps.runs.hold(agent.id, sessionId, { cancel: false }, async () => {
          const queued = await agent.storage.messages.queued(sessionId);
          if (queued.length > 0)
            throw new AppError(
              'session_busy',
              `Session ${sessionId} has ${queued.length} queued message(s) still to run; let them run first.`,
              { session_id: sessionId, queued: queued.length },
            );
          await sessions.archive(sessionId);
        });
      });
    },
    restore: (agentId, sessionId) => sessionsOf(agentId).restore(sessionId),
    async delete(agentId, sessionId, archived) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        await sessions.get(sessionId, archived);
        // A live or waiting run is cancelled first (its partial reply and usage stored as any cancel's), so
        // nothing is written for the session once it is gone; queued messages go with it (their streams get 404).
        await deps.runs.hold(agent.id, sessionId, { cancel: true }, () => sessions.delete(sessionId, archived));
      });
    },
    async history(agentId, sessionId, archived) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        const record = await sessions.get(sessionId, archived);
        return { agentId: agent.id, record, messages: await sessions.messages(record.sessionId) };
      });
    },
    async historyWithPrompt(agentId, sessionId, archived) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        const record = await sessions.get(sessionId, archived);
        const messages = await sessions.messages(record.sessionId);
        const systemPrompt = deps.assistant.systemPrompt(agent, {
          isFirstTurn: messages.length === 0,
          isFirstConversation: false,
        });
        return { agentId: agent.id, record, messages, systemPrompt };
      });
    },
    async tokens(agentId, sessionId) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        await sessions.get(sessionId);
        const messages = await sessions.messages(sessionId);
        const prompt = deps.assistant.systemPrompt(agent, {
          isFirstTurn: messages.length === 0,
          isFirstConversation: false,
        });
        const systemTokens = await deps.assistant.countTokens(prompt);
        let messageTokens = 0;
        for (const message of messages) messageTokens += await deps.assistant.countTokens(message.content);
        return { agentId: agent.id, systemTokens, messageTokens, totalTokens: systemTokens + messageTokens };
      });
    },
    async compress(agentId, sessionId) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        await sessions.get(sessionId);
        if (await deps.runs.isBusy(agent.id, sessionId))
          throw new AppError('session_busy', 'A streaming run is already active for this session.');
        // The session is held from the first read to the write: a turn, or a second compression, that read it
        // meanwhile would archive messages no summary holds and replace the summary written before it.
        // A delete meanwhile aborts `signal`: the summary call stops, and nothing is written for the session.
        // So does the agent's: its delete waits for the session's lock to go before removing shared rows.
        return deps.runs.hold(agent.id, sessionId, { cancel: false }, async (sessionSignal) => {
          // Followed only while this compression runs: the agent's signal lives as long as the agent.
          const compressed = Promise.withResolvers<void>();
          const signal = followSignals([sessionSignal, agent.signal], compressed.promise);
          try {
            return await compress(signal);
          } finally {
            compressed.resolve();
          }
        });
        async function compress(signal: AbortSignal) {
          const record = await sessions.get(sessionId);
          // Queued messages are not history yet: their own turn stores them, so none is summarised or archived.
          const messages = (await sessions.messages(sessionId)).filter((message) => message.status !== 'queued');
          if (messages.length < 4) {
            throw new AppError('invalid_state', 'At least 4 messages are required for compression', {
              message_count: messages.length,
            });
          }
          const { count, corpus } = planCompression(messages);
          const summarized = await deps.assistant.summarize(agent, sessionId, corpus, signal);
          // The agent deleted: its own error (agent_deleted), not the session's.
          if (agent.signal.aborted) throw agent.signal.reason;
          if (signal.aborted)
            throw new AppError(
              'not_found',
              'Session was deleted while it was being compressed; nothing was compressed',
              { session_id: sessionId },
            );
          const summary = summarized?.slice(0, SUMMARY_MAX_CHARS) || corpus.slice(0, SUMMARY_MAX_CHARS);
          const { remaining } = await agent.storage.messages.compress(
            sessionId,
            count,
            nextCompressedContext(record.compressedContext, summary),
          );
          return { agentId: agent.id, archivedCount: count, remainingCount: remaining, summary };
        }
      });
    },
    async generateTitle(agentId, sessionId) {
      return withLease(deps.agents.get(agentId), async (agent) => {
        const sessions = of(agent);
        const record = await sessions.get(sessionId);
        const messages = await sessions.messages(sessionId);
        const seed =
          messages.find((message) => message.role === 'user' && message.content.trim())?.content ??
          messages[0]?.content ??
          record.compressedContext;
        if (!seed.trim()) throw new AppError('invalid_state', 'Cannot generate title for empty session');
        const title = await deps.assistant.title(agent, seed, sessionId);
        await sessions.rename(sessionId, title);
        return title;
      });
    },
    of,
  };
}
