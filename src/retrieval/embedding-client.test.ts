import { describe, expect, it } from 'bun:test';
import { startFakeOpenAiServer } from '../../test/support/fake-openai-server';
import type { EmbeddingSettings } from '../config/env.types';
import { MAX_ANSWER_BYTES_PER_TEXT } from './embedding-answer';
import { createEmbeddingClient, EmbeddingError } from './embedding-client';

const settings = (baseUrl: string, overrides: Partial<EmbeddingSettings> = {}): EmbeddingSettings => ({
  provider: 'openai',
  baseUrl,
  apiKey: 'embed-key',
  model: 'fake-embed',
  googleApiKey: 'google-key',
  googleModel: 'gemini-embedding-001',
  ...overrides,
});

describe('createEmbeddingClient', () => {
  it('sends many inputs a request, in batches, and keeps the order', async () => {
    await using server = await startFakeOpenAiServer();
    server.setEmbedder((text) => [text.length, 1]);
    const client = createEmbeddingClient(settings(server.baseUrl), { batchSize: 3 });
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const vectors = await client.embed(texts);
    expect(vectors.map((vector) => vector[0])).toEqual([1, 2, 3, 4, 5]);
    expect(server.embeddingRequests().map((request) => request.body.input)).toEqual([
      ['a', 'bb', 'ccc'],
      ['dddd', 'eeeee'],
    ]);
    expect(server.embeddingRequests()[0]!.headers.authorization).toBe('Bearer embed-key');
    expect(server.embeddingRequests()[0]!.body.model).toBe('fake-embed');
  });

  it('refuses an answer whose vectors are not all of one length', async () => {
    await using server = await startFakeOpenAiServer();
    server.setEmbedder((text) => (text === 'odd' ? [1, 2] : [1, 2, 3, 4]));
    const client = createEmbeddingClient(settings(server.baseUrl));
    await expect(client.embed(['c', 'odd'])).rejects.toThrow('embedding has 2 dimensions, others of the answer 4');
    expect((await client.embed(['d']))[0]).toHaveLength(4);
  });

  it('retries 5xx answers with backoff and gives up after the last attempt; 4xx is not retried', async () => {
    await using server = await startFakeOpenAiServer();
    const waits: number[] = [];
    const client = createEmbeddingClient(settings(server.baseUrl), {
      maxAttempts: 3,
      sleep: async (ms) => void waits.push(ms),
    });
    server.failEmbeddings(503);
    const failure = await client.embed(['x']).catch((error) => error);
    expect(failure).toBeInstanceOf(EmbeddingError);
    expect(failure.retryable).toBe(true);
    expect(server.embeddingRequests().length).toBe(3);
    expect(waits).toEqual([250, 500]);
    server.failEmbeddings(401);
    await expect(client.embed(['x'])).rejects.toThrow('embedding server answered 401');
    expect(server.embeddingRequests().length).toBe(4);
  });

  it('sends the Google AI Studio key in a header, never in the URL', async () => {
    await using server = await startFakeOpenAiServer();
    server.setEmbedder(() => [0.5, 0.5]);
    const client = createEmbeddingClient(settings('', { provider: 'google_ai_studio' }), {
      googleBaseUrl: server.baseUrl,
    });
    expect(client.identity).toEqual({ provider: 'google_ai_studio', model: 'models/gemini-embedding-001' });
    const vectors = await client.embed(['one', 'two']);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    const [request] = server.embeddingRequests();
    expect(request!.path).toBe('/v1/models/gemini-embedding-001:batchEmbedContents');
    expect(request!.headers['x-goog-api-key']).toBe('google-key');
    expect(request!.body.requests[1]).toEqual({
      model: 'models/gemini-embedding-001',
      content: { parts: [{ text: 'two' }] },
    });
  });

  it('refuses without a key, and is disabled for provider none', async () => {
    await expect(createEmbeddingClient(settings('http://127.0.0.1:9', { apiKey: '' })).embed(['x'])).rejects.toThrow(
      'EMBEDDING_API_KEY',
    );
    const none = createEmbeddingClient(settings('', { provider: 'none' }));
    expect(none.identity).toBeNull();
    await expect(none.embed(['x'])).rejects.toThrow('disabled');
  });
  it('puts vectors back in the order of their labels, and asks text by text when the labels cannot be right', async () => {
    // Each text's vector starts with its length; a batch answer is labelled by `labels` (a proxy's cache relabelling
    // a mixed batch), its vectors placed by them; a single text is answered as it should be.
    let labels: unknown[] = [];
    const requests: string[][] = [];
    using server = Bun.serve({
      port: 0,
      fetch: async (request) => {
        const input = ((await request.json()) as { input: string[] }).input;
        requests.push(input);
        const rows = input.map((text, at) => ({ index: at, embedding: [text.length, 0] }));
        if (input.length === 1) return Response.json({ data: rows });
        return Response.json({ data: rows.map((row, at) => ({ ...row, index: labels[at] })) });
      },
    });
    const client = createEmbeddingClient(settings(`http://127.0.0.1:${server.port}/v1`), { maxAttempts: 1 });
    const firsts = async () => (await client.embed(['a', 'bb', 'ccc'])).map((vector) => vector[0]);
    // Out of order, labelled right: put back in place, one request.
    labels = [0, 1, 2];
    expect(await firsts()).toEqual([1, 2, 3]);
    expect(requests).toHaveLength(1);
    // No labels, or all null: the list's order.
    for (const none of [undefined, null]) {
      labels = [none, none, none];
      expect(await firsts()).toEqual([1, 2, 3]);
    }
    // Labels that cannot be right: sorted by them, texts got vectors not theirs (before 431dee6); refused, every
    // call failed (431dee6). Now each text is asked for alone.
    for (const wrong of [
      [0, 1, 0],
      [0, 1, 1],
      [1, 2, 3],
      [0, 1.5, 2],
      [0, '1', 2],
      [0, undefined, 2],
    ]) {
      labels = wrong;
      requests.length = 0;
      expect({ wrong, firsts: await firsts() }).toEqual({ wrong, firsts: [1, 2, 3] });
      expect(requests).toEqual([['a', 'bb', 'ccc'], ['a'], ['bb'], ['ccc']]);
    }
  });

  it('stops reading an answer far larger than vectors for the texts sent, and reports it', async () => {
    // One vector of 48 MiB of numbers (a proxy or provider gone wrong), streamed: it was read and parsed whole.
    let sent = 0;
    const piece = new TextEncoder().encode('0.125,'.repeat(16 * 1024));
    using server = Bun.serve({
      port: 0,
      fetch: () =>
        new Response(
          new ReadableStream({
            type: 'direct',
            async pull(controller) {
              controller.write('{"data":[{"index":0,"embedding":[');
              for (let written = 0; written < 48 * 1024 * 1024; written += piece.length) {
                sent += piece.length;
                await controller.write(piece);
              }
              controller.write('1]}]}');
              controller.close();
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
    });
    const client = createEmbeddingClient(settings(`http://127.0.0.1:${server.port}/v1`), { maxAttempts: 1 });
    const failure = await client.embed(['x']).catch((error) => error);
    expect(failure).toBeInstanceOf(EmbeddingError);
    expect(failure.message).toBe(`embedding answer is over ${2 * MAX_ANSWER_BYTES_PER_TEXT} bytes for 1 texts`);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('reports an answer whose body outlasts the time limit as a timeout, and retries it', async () => {
    let requests = 0;
    using server = Bun.serve({
      port: 0,
      idleTimeout: 0,
      fetch(request) {
        requests += 1;
        const stream = new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('{"data":['));
            // Then nothing more until the client gives up.
            await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
            controller.close();
          },
        });
        return new Response(stream, { headers: { 'content-type': 'application/json' } });
      },
    });
    const client = createEmbeddingClient(settings(`http://127.0.0.1:${server.port}/v1`), {
      timeoutMs: 200,
      maxAttempts: 2,
      sleep: () => Promise.resolve(),
    });
    const failure = await client.embed(['x']).catch((error) => error);
    // Before, the broken-off body read as "embedding response has no data list", not retried.
    expect([failure.failure, failure.retryable, requests]).toEqual(['timeout', true, 2]);
  });
});
