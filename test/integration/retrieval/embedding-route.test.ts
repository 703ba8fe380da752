import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fake-openai-server';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const profile = (server: FakeOpenAiServer, model = 'fake-embed', dimensions = 8) => ({
  base_url: server.baseUrl,
  model,
  api_key_env: 'EMBED_KEY',
  dimensions,
});

function writeConfig(dataDir: string, config: Record<string, unknown>) {
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(config));
}

function writeKnowledge(dataDir: string) {
  const folder = join(dataDir, 'workspaces', 'default', 'knowledge');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'cars.md'), 'The automobile needs new tyres before winter.\n');
  writeFileSync(join(folder, 'pets.md'), 'The puppy sleeps in the basket by the stove.\n');
}

const status = async (server: Awaited<ReturnType<typeof startTestServer>>) =>
  (await server.json('GET', '/api/retrieval/status')).body.data;

describe('embedding_route', () => {
  it('indexes through the fallback profile when the default one fails', async () => {
    await using primary = await startFakeOpenAiServer();
    await using backup = await startFakeOpenAiServer();
    using temp = makeTempDir('moc-embed-route-');
    writeConfig(temp.path, {
      embedding_profiles: { primary: profile(primary), backup: profile(backup) },
      embedding_route: { default: 'primary', fallbacks: ['backup'] },
    });
    writeKnowledge(temp.path);
    primary.failEmbeddings(500);
    await using server = await startTestServer({
      dataDir: temp.path,
      env: { EMBED_KEY: 'embed-secret' },
      overrides: { sleep: () => Promise.resolve() },
    });
    const state = await status(server);
    expect(state.embedding).toEqual(expect.objectContaining({ provider: 'openai', model: 'fake-embed', state: 'ok' }));
    expect(state.domains.knowledge).toEqual(expect.objectContaining({ sources: 2, chunks: 2, vectors: 2 }));
    expect(primary.embeddingRequests().length).toBeGreaterThan(0);
    expect(backup.embeddedTexts().join(' ')).toContain('automobile');
    expect(backup.embeddingRequests()[0]!.headers.authorization).toBe('Bearer embed-secret');
  });

  it('re-indexes with the new model when the route switches model, instead of mixing vectors', async () => {
    await using embedder = await startFakeOpenAiServer();
    using temp = makeTempDir('moc-embed-switch-');
    const run = async (model: string) => {
      writeConfig(temp.path, {
        embedding_profiles: { main: profile(embedder, model) },
        embedding_route: { default: 'main' },
      });
      await using server = await startTestServer({ dataDir: temp.path, env: { EMBED_KEY: 'k' } });
      return await status(server);
    };
    writeKnowledge(temp.path);
    const first = await run('fake-embed');
    expect(first.domains.knowledge.vectors).toBe(2);
    const before = embedder.embeddingRequests().length;
    const second = await run('fake-embed-2');
    expect(second.embedding.model).toBe('fake-embed-2');
    expect(second.domains.knowledge).toEqual(expect.objectContaining({ chunks: 2, vectors: 2 }));
    const after = embedder.embeddingRequests().slice(before);
    expect(after.every((request) => request.body.model === 'fake-embed-2')).toBe(true);
    expect(after.flatMap((request) => request.body.input).join(' ')).toContain('automobile');
  });

  it('refuses at start a fallback of another dimension or another model', async () => {
    await using embedder = await startFakeOpenAiServer();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { main: profile(embedder, 'fake-embed', 8), wide: profile(embedder, 'fake-embed', 16) },
        /embedding_route\.fallbacks\.0: Profile "wide" makes 16-dimension vectors, the default 8/,
      ],
      [
        { main: profile(embedder, 'fake-embed', 8), other: profile(embedder, 'other-embed', 8) },
        /embedding_route\.fallbacks\.0: Profile "other" serves other-embed, the default fake-embed/,
      ],
    ];
    for (const [profiles, problem] of cases) {
      using temp = makeTempDir('moc-embed-bad-');
      writeConfig(temp.path, {
        embedding_profiles: profiles,
        embedding_route: { default: 'main', fallbacks: [Object.keys(profiles)[1]] },
      });
      await expect(startTestServer({ dataDir: temp.path })).rejects.toThrow(problem);
    }
  });

  it('keeps the embedding route out of an agent layer', async () => {
    await using server = await startTestServer();
    const response = await server.json('PUT', '/api/config/runtime', {
      config: { embedding_route: { fallbacks: [], default: 'x' } },
    });
    expect(response.status).toBe(422);
  });
});
