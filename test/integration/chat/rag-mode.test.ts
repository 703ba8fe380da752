import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONCEPTS } from '../../../bench/retrieval-eval/concepts';
import { startChatFixture } from '../../support/chat-fixture';
import { createConceptEmbedder } from '../../support/concept-embedder';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { readSse } from '../../support/sse-client';

describe('POST /api/chat in rag mode', () => {
  it('sends the retrieval event first and gives the memory hits to the model with the user turn', async () => {
    await using embeddings = await startFakeOpenAiServer();
    embeddings.setEmbedder(createConceptEmbedder(CONCEPTS));
    await using fixture = await startChatFixture({
      env: { EMBEDDING_BASE_URL: embeddings.baseUrl, EMBEDDING_API_KEY: 'embed-key', EMBEDDING_MODEL: 'fake-embed' },
    });
    const { server, model } = fixture;
    expect((await server.json('PUT', '/api/config/rag-mode', { enabled: true })).status).toBe(200);
    const root = join(server.dataDir, 'workspaces', 'default');
    mkdirSync(join(root, 'memory'), { recursive: true });
    writeFileSync(join(root, 'memory', 'MEMORY.md'), '# Memory\n\nThe user drinks espresso every morning.\n');
    const sessionId = await fixture.newSession();
    model.enqueue({ kind: 'text', text: 'You like espresso.' }, { kind: 'text', text: 'Coffee habits' });

    const response = await fixture.chat({ message: 'What coffee do I drink?', session_id: sessionId });
    const events = await readSse(response);
    expect(events[0]!.event).toBe('retrieval');
    expect(events.findIndex((event) => event.event === 'retrieval')).toBeLessThan(
      events.findIndex((event) => event.event === 'token'),
    );
    const retrieval = events[0]!.data;
    expect(retrieval.query).toBe('What coffee do I drink?');
    expect(retrieval.results[0]).toEqual({
      text: '# Memory\n\nThe user drinks espresso every morning.\n',
      score: expect.any(Number),
      source: 'memory/MEMORY.md',
    });
    expect(Object.keys(retrieval.results[0]).sort()).toEqual(['score', 'source', 'text']);
    expect(embeddings.embeddedTexts()).toContain('What coffee do I drink?');

    const messages = model.chatRequests()[0]!.body.messages as { role: string; content: unknown }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    const last = String(messages.at(-1)!.content);
    expect(last).toContain('The user drinks espresso every morning.');
    expect(last.endsWith('What coffee do I drink?')).toBe(true);
    // The session stores what the user typed, not the context block.
    const history = (await server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
    expect(history[0]).toEqual(expect.objectContaining({ role: 'user', content: 'What coffee do I drink?' }));
  });

  it('sends an empty retrieval event when nothing matches, and none when rag mode is off', async () => {
    await using fixture = await startChatFixture({ env: { EMBEDDING_PROVIDER: 'none' } });
    const { server, model } = fixture;
    const sessionId = await fixture.newSession();
    model.enqueue({ kind: 'text', text: 'First.' }, { kind: 'text', text: 'Title' }, { kind: 'text', text: 'Second.' });
    const off = await readSse(await fixture.chat({ message: 'zyxwvut', session_id: sessionId }));
    expect(off.map((event) => event.event)).not.toContain('retrieval');
    await server.json('PUT', '/api/config/rag-mode', { enabled: true });
    const on = await readSse(await fixture.chat({ message: 'zyxwvut', session_id: sessionId }));
    expect(on[0]).toEqual(expect.objectContaining({ event: 'retrieval', data: { query: 'zyxwvut', results: [] } }));
    const lastRequest = model.chatRequests().at(-1)!.body.messages;
    expect(lastRequest.at(-1)).toEqual(expect.objectContaining({ role: 'user', content: 'zyxwvut' }));
  });
});
