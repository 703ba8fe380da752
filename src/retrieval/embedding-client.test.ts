import { describe, expect, it } from 'bun:test';
import { startFakeOpenAiServer } from '../../test/support/fake-openai-server';
import type { EmbeddingSettings } from '../config/env.types';
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
});
