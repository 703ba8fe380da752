// The title step of a chat turn: a session's first answered turn names it.
import type { AgentHandle } from '../agents';
import type { AgentSessions, SessionPorts } from '../sessions';
import type { Clock } from '../shared/clock';
import type { AuxiliaryPorts } from './auxiliary-usage';
import type { ChatEvent } from './chat-events';
import type { ModelAccess } from './model-router';
import { proposeTitle } from './session-assistant';

/**
 * Titles the session from the user's first message (the model's proposal, or its first words when the budget
 * blocks or the call fails) and returns the `title` event. A session archived or deleted meanwhile keeps its
 * name; the event is still returned. `idle` is awaited before the call and before the rename (other turns first).
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
  await idle();
  const title = await proposeTitle(agent, models, message, sessionId, clock);
  await idle();
  const current = await sessions.find(sessionId);
  if (current && !current.archived) await agent.storage.sessions.rename(sessionId, title);
  return { type: 'title', data: { session_id: sessionId, agent_id: agent.id, title } };
}
