// A test server whose embedding provider is the fake OpenAI server, plus helpers for retrieval tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONCEPTS } from '../../bench/retrieval-eval/concepts';
import { createConceptEmbedder } from './concept-embedder';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fake-openai-server';
import { startTestServer, type TestServer, type TestServerOptions } from './start-test-server';

export interface RetrievalFixture {
  server: TestServer;
  model: FakeOpenAiServer;
  /** Writes a file straight to disk in the agent folder (no files API, so no change notice). */
  writeDirect(relativePath: string, content: string, agentId?: string): void;
  search(domain: string, q: string, extra?: Record<string, string>): Promise<any[]>;
  status(agentId?: string): Promise<any>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface RetrievalFixtureOptions extends TestServerOptions {
  /** An already running fake server to embed with (kept running on dispose; its embedder is left as it is). */
  model?: FakeOpenAiServer;
}

export async function startRetrievalFixture(options: RetrievalFixtureOptions = {}): Promise<RetrievalFixture> {
  const ownModel = !options.model;
  const model = options.model ?? (await startFakeOpenAiServer());
  // A model-like embedder (synonyms share a direction, spelling by trigrams) rather than the 8-bucket default.
  if (ownModel) model.setEmbedder(createConceptEmbedder(CONCEPTS));
  const server = await startTestServer({
    ...options,
    env: {
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_BASE_URL: model.baseUrl,
      EMBEDDING_API_KEY: 'embed-key',
      EMBEDDING_MODEL: 'fake-embed',
      ...options.env,
    },
    overrides: { sleep: () => Promise.resolve(), ...options.overrides },
  });
  const agentRoot = (agentId: string) => join(server.dataDir, 'workspaces', agentId);
  return {
    server,
    model,
    writeDirect(relativePath, content, agentId = 'default') {
      const path = join(agentRoot(agentId), relativePath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    },
    async search(domain, q, extra = {}) {
      const params = new URLSearchParams({ domain, q, ...extra });
      const response = await server.json('GET', `/api/retrieval/search?${params}`);
      if (response.status !== 200)
        throw new Error(`search answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body.data.results;
    },
    async status(agentId = 'default') {
      return (await server.json('GET', `/api/retrieval/status?agent_id=${agentId}`)).body.data;
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
      if (ownModel) await model.stop();
    },
  };
}
