// The run step of a chat turn: each event of the agent turn is recorded, then published, until the turn ends.
import { watchDeletion, type AgentHandle } from '../agents';
import type { ChatEvent } from './chat-events';
import type { AgentTurnResult } from './run-agent';
import type { TurnRecorder } from './turn-recorder';

/**
 * Plays `turn` to its end: the recorder sees every event but a token before `publish` sends it (and stores
 * the reply when `done` or `error` comes, so the history holds it before a client hears the end). Resolves with the
 * turn's outcome. Rejects with `agent_deleted` as soon as the agent is deleted, whatever the model is doing
 * (its call is aborted through the agent's signal); a storage fault while recording rejects as thrown.
 */
export async function driveTurn(
  agent: AgentHandle<unknown>,
  turn: AsyncGenerator<ChatEvent, AgentTurnResult>,
  recorder: TurnRecorder,
  publish: (event: ChatEvent) => void,
): Promise<AgentTurnResult> {
  using deletion = watchDeletion(agent);
  let step = await deletion.guard(turn.next());
  while (!step.done) {
    const event = step.value;
    // A token goes out before its live snapshot is written (the first token writes one); the turn's end
    // only once its reply is stored.
    if (event.type === 'token') publish(event);
    await recorder.observe(event);
    if (event.type === 'done') await recorder.persist();
    if (event.type === 'error') await recorder.persist(event.data.code === 'cancelled' ? 'cancelled' : 'failed');
    if (event.type !== 'token') publish(event);
    step = await deletion.guard(turn.next());
  }
  return step.value;
}
