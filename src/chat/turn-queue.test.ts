import { describe, expect, it } from 'bun:test';
import { agentDeleted } from '../agents';
import type { QueuedMessage } from '../sessions';
import { silentLogger } from '../shared/logger';
import { createTurnQueue } from './turn-queue';

/** An agent handle over an in-memory queue; `remove()` deletes it as the registry does (storage refused, signal aborted). */
function fakeAgent(id: string) {
  const queued: QueuedMessage[] = [];
  const deletion = new AbortController();
  let nextId = 1;
  const messages = {
    enqueue: async (_sessionId: string, content: string) => {
      const stored = { id: nextId++, content };
      queued.push(stored);
      return { stored };
    },
    queued: async () => [...queued],
  };
  const agent = {
    id,
    signal: deletion.signal,
    get storage() {
      if (deletion.signal.aborted) throw agentDeleted(id);
      return { messages, sessions: { find: async () => ({ archived: false }) } };
    },
  };
  return { agent, queued, remove: () => deletion.abort() };
}

describe('turn queue', () => {
  it("keeps a deleted agent's queue apart from the one made anew under its id", async () => {
    let free!: () => void;
    const sessionFree = new Promise<void>((resolve) => (free = resolve));
    const started: string[] = [];
    const queue = createTurnQueue({
      agents: { ids: () => [] } as never,
      registry: { whenFree: () => sessionFree } as never,
      startQueued: async (agent: { id: string }, _sessionId: string, message: QueuedMessage) => {
        started.push(message.content);
        (agent === current.agent ? current : old).queued.shift();
        return { runId: message.content } as never;
      },
      logger: silentLogger,
    });
    const old = fakeAgent('x');
    const waitingOld = (await queue.enqueue(old.agent as never, '__heartbeat__', 'for the old agent')).run;
    old.remove();
    const current = fakeAgent('x');
    const waitingNew = (await queue.enqueue(current.agent as never, '__heartbeat__', 'for the new agent')).run;
    free();
    expect(await waitingOld.then(String, (error: { code?: string }) => error.code)).toBe('agent_deleted');
    expect(((await waitingNew) as { runId: string }).runId).toBe('for the new agent');
    expect(started).toEqual(['for the new agent']);
  });
});
