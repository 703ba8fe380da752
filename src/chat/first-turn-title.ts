// The title step of a chat turn: a session's first answered turn names it.
import type { AgentHandle } from '../agents';
import { DEFAULT_SESSION_TITLE, type AgentSessions, type SessionPorts } from '../sessions';
import type { Clock } from '../shared/clock';
import type { AuxiliaryPorts } from './auxiliary-usage';
import type { ChatEvent } from './chat-events';
import type { ModelAccess } from './model-router';
import { proposeTitle } from './session-assistant';

/**
 * Titles the session from the user's first message (the model's proposal, or its first words when the budget
 * blocks or the call fails) and returns the `title` event. A session archived or deleted meanwhile keeps its
 * name; the event is still returned. A title the client gave (at creation, or by a rename before or during the
 * turn) is kept, with no model call: the event names it (the model's title replaced it before). `idle` is awaited
 * before the call and before the rename (other turns first).
 */
export async function titleFirstTurn(
  agent: AgentHandle<SessionPorts & AuxiliaryPorts>,
  sessions: AgentSessions,
  models: ModelAccess,
  message: string,
  sessionId: string,
  clock: Clock,
  idle: () => Promise<void>,
): Promise<ChatEvent> {
  const event = (title: string): ChatEvent => ({
    type: 'title',
    data: { session_id: sessionId, agent_id: agent.id, title },
  });
  await idle();
  const named = (await sessions.find(sessionId))?.title;
  if (named !== undefined && named !== DEFAULT_SESSION_TITLE) return event(named);
  const title = await proposeTitle(agent, models, message, sessionId, clock);
  await idle();
  const current = await sessions.find(sessionId);
  if (current && current.title !== DEFAULT_SESSION_TITLE) return event(current.title);
  if (current && !current.archived) await agent.storage.sessions.rename(sessionId, title);
  return event(title);
}
