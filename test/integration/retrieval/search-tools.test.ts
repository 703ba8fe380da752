// search_knowledge_base and search_memory answer from the retrieval index, through a whole chat turn.
import { describe, expect, it } from 'bun:test';
import { CONCEPTS } from '../../../bench/retrieval-eval/concepts';
import { startChatFixture } from '../../support/chat-fixture';
import { createConceptEmbedder } from '../../support/concept-embedder';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { readSse } from '../../support/sse-client';

describe('search tools through a chat turn', () => {
  it('the model calls both search tools and gets ranked hits with source and lines from the index', async () => {
    await using embeddings = await startFakeOpenAiServer();
    embeddings.setEmbedder(createConceptEmbedder(CONCEPTS));
    await using fixture = await startChatFixture({
      env: { EMBEDDING_BASE_URL: embeddings.baseUrl, EMBEDDING_API_KEY: 'embed-key', EMBEDDING_MODEL: 'fake-embed' },
    });
    const { server, model } = fixture;
    const write = (path: string, content: string) => server.json('POST', '/api/files', { path, content });
    expect(
      (
        await write(
          'knowledge/guides/deploy.md',
          '# Deploy\nRun the server with Docker.\nDocker needs a volume for storage.\n',
        )
      ).status,
    ).toBe(200);
    expect((await write('knowledge/faq.txt', 'Lunch is served at noon in the canteen.\n')).status).toBe(200);
    expect((await write('memory/MEMORY.md', '# Memory\nThe user prefers Podman to Docker.\n')).status).toBe(200);
    await server.deps.retrieval.idle();

    const sessionId = await fixture.newSession();
    model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'search_knowledge_base', args: { query: 'docker volume', top_k: 2 } }] },
      { kind: 'tool_calls', calls: [{ name: 'search_memory', args: { query: 'podman' } }] },
      { kind: 'text', text: 'Use a Docker volume; you prefer Podman.' },
      { kind: 'text', text: 'Deploying' },
    );
    const events = await readSse(await fixture.chat({ message: 'How do I deploy?', session_id: sessionId }));
    const ends = events
      .filter((event) => event.event === 'tool_end')
      .map((event) => ({ tool: event.data.tool, output: JSON.parse(event.data.output) }));
    expect(ends.map((end) => [end.tool, end.output.ok])).toEqual([
      ['search_knowledge_base', true],
      ['search_memory', true],
    ]);
    const knowledge = ends[0]!.output.data.results;
    expect(knowledge.length).toBeLessThanOrEqual(2);
    expect(knowledge[0]).toEqual(
      expect.objectContaining({
        source: 'knowledge/guides/deploy.md',
        start_line: expect.any(Number),
        end_line: expect.any(Number),
      }),
    );
    expect(knowledge[0].text).toContain('Docker needs a volume');
    expect(knowledge.every((hit: any) => hit.source !== 'knowledge/faq.txt' || hit.score < knowledge[0].score)).toBe(
      true,
    );
    const memory = ends[1]!.output.data.results;
    expect(memory[0]).toEqual(expect.objectContaining({ source: 'memory/MEMORY.md' }));
    expect(memory[0].text).toContain('prefers Podman');
    expect(events.find((event) => event.event === 'done')!.data.content).toBe(
      'Use a Docker volume; you prefer Podman.',
    );
    // The query reached the embedding server: the vector leg ran, not only keywords.
    expect(embeddings.embeddedTexts()).toContain('docker volume');
  });
});
