import { describe, expect, it } from 'bun:test';
import { modelWorkerPool } from '../../../src/chat/model-worker/worker-pool';
import { startChatFixture } from '../../support/chat-fixture';
import { waitUntil } from '../../support/process-probe';
import { readSse, readStreamRest, readStreamUntil, streamSse } from '../../support/sse-client';
import { echoTool } from '../../support/test-tools';

const names = (events: { event: string }[]) => [...new Set(events.map((event) => event.event))];

describe('model workers (APP_MODEL_WORKERS)', () => {
  it('runs the agent graph and the title call on a worker; tool calls run back on the server thread', async () => {
    await using fixture = await startChatFixture({
      env: { APP_MODEL_WORKERS: '1' },
      overrides: { toolDefinitions: [echoTool] },
    });
    const pool = modelWorkerPool()!;
    expect(pool.size).toBe(1);
    const before = pool.started;
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'echo', args: { text: 'across' } }] },
      { kind: 'text', text: 'Echoed.' },
      { kind: 'text', text: 'Echo title' },
    );
    const events = await readSse(await fixture.chat({ message: 'echo it', session_id: sessionId }));
    expect(names(events)).toEqual(expect.arrayContaining(['tool_start', 'tool_end', 'token', 'done', 'title']));
    const toolEnd = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
    expect(toolEnd).toMatchObject({ ok: true, data: { echoed: 'across' } });
    expect(events.find((event) => event.event === 'done')!.data.content).toBe('Echoed.');
    expect(events.find((event) => event.event === 'title')!.data.title).toBe('Echo title');
    // The turn's stream and its title call went to the worker (the echo tool exists only on this thread).
    expect(pool.started - before).toBe(2);
    expect(pool.threads().length).toBe(1);
  });

  it('ends the turn with an error when its worker dies mid-reply, and the next turn gets a new worker', async () => {
    await using fixture = await startChatFixture({ env: { APP_MODEL_WORKERS: '1' } });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'slow words '.repeat(200), chunkSize: 4, delayMs: 10 });
    const stream = streamSse(await fixture.chat({ message: 'talk slowly', session_id: sessionId }));
    await readStreamUntil(stream, (event) => event.event === 'token');
    const [thread] = modelWorkerPool()!.threads();
    thread!.terminate();
    const rest = await readStreamRest(stream);
    expect(rest.at(-1)).toMatchObject({ event: 'error', data: { code: 'llm_error' } });
    expect(rest.at(-1)!.data.error).toContain('model worker');
    // Its model request went with the worker.
    expect(await waitUntil(() => fixture.model.abortedRequests() >= 1)).toBe(true);
    const next = await readSse(await fixture.chat({ message: 'again', session_id: sessionId }));
    expect(names(next)).toContain('done');
    expect(modelWorkerPool()!.threads()).not.toContain(thread!);
  });

  it('with APP_MODEL_WORKERS=0 runs LangChain on the server thread', async () => {
    await using fixture = await startChatFixture({ env: { APP_MODEL_WORKERS: '0' } });
    expect(modelWorkerPool()).toBeNull();
    const sessionId = await fixture.newSession();
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    expect(names(events)).toEqual(expect.arrayContaining(['token', 'done', 'title']));
  });

  it('refuses a worker count that is not a whole number from 0 to 16 at start', async () => {
    await expect(startChatFixture({ env: { APP_MODEL_WORKERS: '17' } })).rejects.toThrow('APP_MODEL_WORKERS');
    await expect(startChatFixture({ env: { APP_MODEL_WORKERS: 'two' } })).rejects.toThrow('APP_MODEL_WORKERS');
  });
});
