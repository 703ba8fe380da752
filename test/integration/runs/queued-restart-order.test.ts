// Messages an earlier process left queued keep their place after a restart: a new message sent the moment the
// server listens never runs ahead of them, in the first agent the start visits or the last.
import { describe, expect, it } from 'bun:test';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { startServerProcess } from '../../support/server-process';
import { makeTempDir } from '../../support/temp-dir';

/** Agents enough that a start-up pass giving the thread back between agents is still going when requests come. */
const AGENTS = 12;
const agentIds = Array.from({ length: AGENTS }, (_, index) => `queue-order-${String(index).padStart(2, '0')}`);

const history = async (fixture: ChatFixture, agentId: string, sessionId: string) =>
  (await fixture.server.json('GET', `/api/sessions/${sessionId}/history?agent_id=${agentId}`)).body.data
    .messages as any[];

/** In every agent, a session whose run hangs in the model with one message queued behind it; then the server stops. */
async function leaveQueued(dataDir: string): Promise<Map<string, string>> {
  const sessions = new Map<string, string>();
  await using fixture = await startChatFixture({ dataDir });
  for (const agentId of agentIds) {
    const created = await fixture.server.json('POST', '/api/agents', { agent_id: agentId });
    expect(created.status).toBe(200);
    const sessionId = await fixture.newSession(agentId);
    sessions.set(agentId, sessionId);
    fixture.model.enqueue({ kind: 'hang' });
    const hanging = fixture.chat({ agent_id: agentId, message: 'first', session_id: sessionId });
    void hanging.then((response) => response.body?.cancel()).catch(() => undefined);
    await fixture.model.waitForRequests(sessions.size);
    const queued = await fixture.chat({
      agent_id: agentId,
      message: 'queued',
      session_id: sessionId,
      on_busy: 'enqueue',
    });
    await queued.body?.cancel();
  }
  await waitFor(async () => {
    for (const [agentId, sessionId] of sessions) {
      if (!(await history(fixture, agentId, sessionId)).some((message) => message.status === 'queued'))
        return undefined;
    }
    return true;
  });
  return sessions;
}

describe('queued messages across a restart', () => {
  it('run before any message sent once the server listens, in every agent', async () => {
    using data = makeTempDir('moc-queue-order-');
    const sessions = await leaveQueued(data.path);

    // The restart as an operator's: its own process, requests sent as soon as it prints where it listens.
    await using restarted = await startServerProcess({ dataDir: data.path, env: { APP_MAX_OPEN_AGENTS: '4' } });
    // At once, a new message to every session, with the default on_busy (reject): a session still busy with its
    // queued message answers 409; an idle one runs the new message, which must then come after the queued one.
    const answers = await Promise.all(
      [...sessions].map(([agentId, sessionId]) =>
        restarted.api('POST', '/api/chat', { agent_id: agentId, message: 'new', session_id: sessionId, stream: false }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);

    for (const [agentId, sessionId] of sessions) {
      const messages = await waitFor(async () => {
        const all = (await restarted.api('GET', `/api/sessions/${sessionId}/history?agent_id=${agentId}`)).body.data
          .messages as any[];
        return all.some((message) => message.status === 'queued' || message.streaming) ? undefined : all;
      });
      const users = messages.filter((message) => message.role === 'user').map((message) => message.content);
      // 'first' was interrupted by the stop; 'queued' comes next, and 'new' (if it ran) after it.
      expect({ agentId, users: users.slice(0, 2) }).toEqual({ agentId, users: ['first', 'queued'] });
    }
  });
});
