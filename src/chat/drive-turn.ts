// The run step of a chat turn: each event of the agent turn is recorded, then published, until the turn ends.
import { untilDeleted, type AgentHandle } from '../agents';
import type { ChatEvent } from './chat-events';
import type { AgentTurnResult } from './run-agent';
import type { TurnRecorder } from './turn-recorder';

/**
 * Plays `turn` to its end: the recorder sees every event first (and stores the reply when `done` or `error`
 * comes, so the history holds it before a client hears the end), then `publish` sends it. Resolves with the
 * turn's outcome. Rejects with `agent_deleted` as soon as the agent is deleted, whatever the model is doing
 * (its call is aborted through the agent's signal); a storage fault while recording rejects as thrown.
 */
export async function driveTurn(
  agent: AgentHandle<unknown>,
  turn: AsyncGenerator<ChatEvent, AgentTurnResult>,
  recorder: TurnRecorder,
  publish: (event: ChatEvent) => void,
): Promise<AgentTurnResult> {
  let step = await untilDeleted(agent, turn.next());
  while (!step.done) {
    const event = step.value;
    await recorder.observe(event);
    if (event.type === 'done') await recorder.persist();
    if (event.type === 'error') await recorder.persist(event.data.code === 'cancelled' ? 'cancelled' : 'failed');
    publish(event);
    step = await untilDeleted(agent, turn.next());
  }
  return step.value;
}
