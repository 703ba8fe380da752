// DELETE /api/sessions/{id} while POST /api/sessions/{id}/compress waits on its summary call: the delete does not wait it out.
import { describe, expect, it } from 'bun:test';
import { startChatFixture, storeSixMessages } from '../../support/chat-fixture';
import { waitUntil } from '../../support/process-probe';

describe('DELETE /api/sessions/:id during a compress', () => {
  it('answers while the summary call is held, which it aborts; the compress answers 404 and writes nothing', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const agent = fixture.server.deps.agents.get('default');
    await storeSixMessages(fixture, sessionId);
    // The summary call gets no reply until the server gives it up.
    fixture.model.enqueue({ kind: 'hang' });
    const compress = fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
    await fixture.model.waitForRequests(1);

    const deleted = await fixture.server.json('DELETE', `/api/sessions/${sessionId}`);
    expect(deleted.status).toBe(200);
    const compressed = await compress;
    expect([compressed.status, compressed.body]).toEqual([
      404,
      {
        error: {
          code: 'not_found',
          message: 'Session was deleted while it was being compressed; nothing was compressed',
          details: { session_id: sessionId },
          request_id: expect.any(String),
        },
      },
    ]);
    expect(await waitUntil(() => fixture.model.abortedRequests() === 1)).toBe(true);
    expect((await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).status).toBe(404);
    expect(await agent.storage.messages.archives(sessionId)).toEqual([]);
    const listed = (await fixture.server.json('GET', '/api/sessions')).body.data as { session_id: string }[];
    expect(listed.map((session) => session.session_id)).not.toContain(sessionId);
  });
});
