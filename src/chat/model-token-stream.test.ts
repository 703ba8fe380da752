import { describe, expect, it } from 'bun:test';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { withModelTokens } from './model-token-stream';

/** The callbacks object `withModelTokens` gives the graph, as LangChain calls it. */
interface Callbacks {
  lc_prefer_streaming: boolean;
  awaitHandlers: boolean;
  handleChatModelStart(...args: unknown[]): void;
  handleLLMNewToken(...args: unknown[]): void;
  handleLLMEnd(...args: unknown[]): void;
  handleLLMError(...args: unknown[]): void;
}

const start = (callbacks: Callbacks, runId: string, node?: string, tags: string[] = []) =>
  callbacks.handleChatModelStart({}, [], runId, undefined, {}, tags, node ? { langgraph_node: node } : {});
const token = (callbacks: Callbacks, runId: string, text: string, chunk = true) =>
  callbacks.handleLLMNewToken(text, {}, runId, undefined, [], chunk ? { chunk: { message: { content: text } } } : {});
const update = ['updates', { model_request: { messages: [{ content: 'ab' }] } }];

/** A gate the fake graph waits at, opened by the test. */
function gate() {
  const { promise: opened, resolve: open } = Promise.withResolvers<void>();
  return { opened, open };
}

describe('withModelTokens', () => {
  it('hands each token on as it comes, before the graph has an item of its own, then the graph items', async () => {
    const { opened, open } = gate();
    const stream = withModelTokens(async ([handler]) => {
      const callbacks = handler as Callbacks;
      expect(callbacks.lc_prefer_streaming).toBe(true);
      expect(callbacks.awaitHandlers).toBe(true);
      start(callbacks, 'run-1', 'model_request');
      token(callbacks, 'run-1', 'a');
      // LangGraph's stream() resolves only once it has an item: here, after the reader got the first token.
      await opened;
      token(callbacks, 'run-1', 'b', false);
      callbacks.handleLLMEnd({}, 'run-1');
      token(callbacks, 'run-1', 'after the end');
      return (async function* () {
        yield update;
      })();
    });
    const first = await stream.next();
    expect(first.value).toEqual(['messages', [{ content: 'a' }, { langgraph_node: 'model_request' }]]);
    open();
    const rest: unknown[] = [];
    for await (const item of stream) rest.push(item);
    expect(rest).toEqual([['messages', [{ content: 'b' }, { langgraph_node: 'model_request' }]], update]);
  });

  it('gives the tokens that came before a failure, then the failure', async () => {
    const stream = withModelTokens(async ([handler]) => {
      const callbacks = handler as Callbacks;
      start(callbacks, 'run-1', 'model_request');
      token(callbacks, 'run-1', 'part');
      throw new Error('connection cut');
    });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const item of stream) seen.push(item);
      })(),
    ).rejects.toThrow('connection cut');
    expect(seen).toEqual([['messages', [{ content: 'part' }, { langgraph_node: 'model_request' }]]]);
  });

  it('gives no token that comes after the graph stream has ended', async () => {
    const ended = gate();
    let callbacks: Callbacks | undefined;
    const stream = withModelTokens(async ([handler]) => {
      callbacks = handler as Callbacks;
      start(callbacks, 'run-1', 'model_request');
      return (async function* () {
        try {
          yield update;
        } finally {
          ended.open();
        }
      })();
    });
    expect((await stream.next()).value).toEqual(update);
    await ended.opened;
    // The pump has read the graph's end; a model call that outlived it still calls back.
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    token(callbacks!, 'run-1', 'too late');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('leaves out tokens of a call it saw no start of or tagged not to stream, and marks a call outside a node with no node', async () => {
    const stream = withModelTokens(async ([handler]) => {
      const callbacks = handler as Callbacks;
      token(callbacks, 'unknown-run', 'stray');
      start(callbacks, 'run-quiet', 'model_request', ['nostream']);
      token(callbacks, 'run-quiet', 'a middleware call');
      start(callbacks, 'run-traced-quiet', 'model_request', ['langsmith:nostream']);
      token(callbacks, 'run-traced-quiet', 'another');
      start(callbacks, 'run-2');
      token(callbacks, 'run-2', 'outside');
      return (async function* () {
        // A graph with no item of its own.
      })();
    });
    const items: unknown[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual([['messages', [{ content: 'outside' }, { langgraph_node: undefined }]]]);
  });

  it('aborts the signal it gave the graph at once when the reader stops before the graph has an item', async () => {
    let given: AbortSignal | undefined;
    const stream = withModelTokens(async ([handler], stop) => {
      given = stop;
      const callbacks = handler as Callbacks;
      start(callbacks, 'run-1', 'model_request');
      token(callbacks, 'run-1', 'a');
      // A model call under way: LangGraph's stream() resolves only once it has an item, after the whole reply.
      await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
      throw stop.reason;
    });
    for await (const item of stream) {
      expect(item).toEqual(['messages', [{ content: 'a' }, { langgraph_node: 'model_request' }]]);
      expect(given?.aborted).toBe(false);
      break;
    }
    expect(given?.aborted).toBe(true);
  });

  it("runs the graph under a signal that follows the turn's, and lets go of the turn's once the graph has ended", async () => {
    const cancelled = new Error('cancelled by the client');
    const running = new AbortController();
    let reason: unknown;
    const aborted = withModelTokens(async (_, graphSignal) => {
      running.abort(cancelled);
      reason = graphSignal.reason;
      throw graphSignal.reason;
    }, running.signal);
    await expect(aborted.next()).rejects.toBe(cancelled);
    expect(reason).toBe(cancelled);

    const finished = new AbortController();
    let given: AbortSignal | undefined;
    const stream = withModelTokens(async (_, graphSignal) => {
      given = graphSignal;
      return (async function* () {
        yield update;
      })();
    }, finished.signal);
    for await (const item of stream) expect(item).toEqual(update);
    finished.abort(cancelled);
    expect(given?.aborted).toBe(false);
  });

  it('closes the graph stream when the reader stops early', async () => {
    let closed = false;
    const { opened, open } = gate();
    const stream = withModelTokens(async () =>
      (async function* () {
        try {
          yield update;
          await opened;
          yield update;
        } finally {
          closed = true;
        }
      })(),
    );
    for await (const item of stream) {
      expect(item).toEqual(update);
      break;
    }
    open();
    await opened;
    // The graph's pending read settles, then the stream is closed instead of read on.
    for (let turn = 0; turn < 10 && !closed; turn++) await Promise.resolve();
    expect(closed).toBe(true);
  });
  it("is handed the model's events by LangChain and none of the graph's chain, tool, retriever or custom events", async () => {
    let handler: object | undefined;
    const graphWithoutItems = async function* () {
      // The handler is all this test needs from the stream.
    };
    for await (const _ of withModelTokens(async ([given]) => {
      handler = given as object;
      return graphWithoutItems();
    }));
    const asked = new Set<string>();
    const spied = new Proxy(handler as object, {
      get: (target, key) => {
        if (typeof key === 'string' && key.startsWith('handle')) asked.add(key);
        return Reflect.get(target, key);
      },
    });
    const manager = new CallbackManager(undefined);
    manager.setHandlers([spied as never]);
    const serialized = { lc: 1, type: 'not_implemented' as const, id: ['graph'] };
    const chain = await manager.handleChainStart(serialized, {}, 'chain-1');
    await chain.handleChainEnd({});
    await chain.handleChainError(new Error('x'));
    const tool = await manager.handleToolStart(serialized, 'input', 'tool-1');
    await tool.handleToolEnd('output');
    const retriever = await manager.handleRetrieverStart(serialized, 'query', 'retriever-1');
    await retriever.handleRetrieverEnd([]);
    await manager.handleCustomEvent?.('progress', {}, 'chain-1');
    expect([...asked]).toEqual([]);
    const [model] = await manager.handleChatModelStart(serialized, [[]], 'model-1', undefined, undefined, [], {});
    await model!.handleLLMNewToken('a');
    await model!.handleLLMEnd({ generations: [] });
    expect([...asked]).toEqual(['handleChatModelStart', 'handleLLMNewToken', 'handleLLMEnd']);
  });
});
