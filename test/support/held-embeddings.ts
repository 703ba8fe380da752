// An OpenAI-style embedding provider on port 0 that holds the requests a test picks until it releases them.
import { fakeEmbedding } from './fake-openai-server';

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
