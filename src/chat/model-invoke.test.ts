import { describe, expect, it } from 'bun:test';
import { startFakeOpenAiServer } from '../../test/support/fake-openai-server';
import { invokeModel } from './model-invoke';

describe('invokeModel', () => {
  it('is aborted by a signal that aborts while its client is being made, and sends nothing', async () => {
    await using server = await startFakeOpenAiServer();
    const llm = { baseUrl: server.baseUrl, apiKey: 'k', model: 'fake-model' };
    const options = { llm, model: 'fake-model', runtime: { temperature: 0, timeout_seconds: 60 } } as const;
    const controller = new AbortController();
    // The call's first await is its client: the caller gives up meanwhile (a title whose session went).
    const call = invokeModel(options as never, [{ role: 'user', content: 'hi' }], controller.signal);
    controller.abort(new Error('gone'));
    expect(
      await call.then(
        () => 'answered',
        (error: Error) => error.message,
      ),
    ).toBe('gone');
    expect(server.chatRequests()).toEqual([]);
  });
});
