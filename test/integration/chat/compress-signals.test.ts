// What a compression's model call leaves behind: its abort signals go once it has answered.
import { describe, expect, it } from 'bun:test';
import { heapStats } from 'bun:jsc';
import { startChatFixture, storeSixMessages } from '../../support/chat-fixture';

describe('POST /api/sessions/:id/compress', () => {
  // The OpenAI SDK joins the signal it is given with its own through AbortSignal.any; in Bun what that joins
  // stayed reachable while the given signal could still abort, which a finished compression's never did.
  it('leaves no abort signal behind once it has answered', async () => {
    await using fixture = await startChatFixture();
    const compressions = async (count: number) => {
      for (let round = 0; round < count; round++) {
        const sessionId = await fixture.newSession();
        await storeSixMessages(fixture, sessionId);
        const compressed = await fixture.server.json('POST', `/api/sessions/${sessionId}/compress`);
        expect(compressed.status).toBe(200);
      }
      Bun.gc(true);
      return heapStats().objectTypeCounts.AbortSignal ?? 0;
    };
    const before = await compressions(5);
    const after = await compressions(60);
    // Measured: 55 more signals after the 60 before the call got its own (the SDK held them), none since.
    expect(after - before).toBeLessThanOrEqual(10);
  });
});
