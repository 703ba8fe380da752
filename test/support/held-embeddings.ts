// An OpenAI-style embedding provider on port 0 that holds the requests a test picks until it releases them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'bun:test';
import { fakeEmbedding } from './fake-openai-server';
import { startTestServer, type TestServer } from './start-test-server';

export interface HeldEmbeddings {
  /** The server's environment for this provider (`EMBEDDING_*`). */
  env: Record<string, string>;
  /** Every text sent for embedding, in arrival order (held ones too). */
  texts: string[];
  /** From now on, holds each request with a text `shouldHold` accepts (null: holds none). */
  hold(shouldHold: ((text: string) => boolean) | null): void;
  /** Resolves once `count` requests are held at the same time. */
  waitForHeld(count: number): Promise<void>;
  /** Answers every held request and stops holding. */
  release(): void;
  [Symbol.dispose](): void;
}

export function startHeldEmbeddings(): HeldEmbeddings {
  let shouldHold: ((text: string) => boolean) | null = null;
  const held: (() => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const texts: string[] = [];
  const notify = () => {
    for (const waiter of waiters.splice(0)) {
      if (held.length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  const provider = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const body = (await request.json()) as { input: string[] };
      texts.push(...body.input);
      if (shouldHold && body.input.some(shouldHold)) {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          notify();
        });
      }
      return Response.json({
        data: body.input.map((text, index) => ({ index, embedding: fakeEmbedding(text) })),
      });
    },
  });
  return {
    env: {
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_BASE_URL: `http://127.0.0.1:${provider.port}/v1`,
      EMBEDDING_API_KEY: 'embed-key',
      EMBEDDING_MODEL: 'fake-embed',
    },
    texts,
    hold(next) {
      shouldHold = next;
    },
    waitForHeld(count) {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ count, resolve });
      notify();
      return promise;
    },
    release() {
      shouldHold = null;
      for (const answer of held.splice(0)) answer();
    },
    [Symbol.dispose]() {
      this.release();
      provider.stop(true);
    },
  };
}

/** A search of the default agent's knowledge (`zebra` unless told). */
export const searchKnowledge = (server: TestServer, q = 'zebra') =>
  server.json('GET', `/api/retrieval/search?domain=knowledge&q=${encodeURIComponent(q)}&top_k=5`);

/**
 * A server embedding with `provider`, its knowledge indexed (`knowledge/a.md`, one zebra), with a new file on disk
 * (`knowledge/b.md`, a zebra and a lighthouse) whose vector `provider` holds from now on: the next pass waits on it.
 */
export async function serverWithHeldFile(provider: HeldEmbeddings): Promise<TestServer> {
  const server = await startTestServer({ env: provider.env });
  await server.json('POST', '/api/files', { path: 'knowledge/a.md', content: 'A zebra in the first file.\n' });
  expect((await searchKnowledge(server)).body.data.results).toHaveLength(1);
  await server.deps.retrieval.idle();
  // Written to disk without the files API, so no change notice queues a pass: the next search's pass finds it.
  writeFileSync(join(server.dataDir, 'workspaces', 'default', 'knowledge', 'b.md'), 'A zebra and a lighthouse.\n');
  provider.hold((text) => text.includes('lighthouse'));
  return server;
}
