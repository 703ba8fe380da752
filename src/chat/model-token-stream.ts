// A turn's agent stream with the model's tokens taken from a callback instead of LangGraph's `messages` mode.
// LangGraph's `messages` mode runs its own handler on every node's start and end, keeps every message it has seen
// for the stream's life, and routes each token through the graph's stream. With the tokens taken straight from the
// model's callback and `updates` alone from the graph, a 200-turn burst peaked 20–37 MB lower and used a little less
// CPU per turn (README "Turn cost: eighth round"; bench/stream-path.bench.ts compares the paths alone).

/** The node a model call ran in, as LangGraph gives it to the callbacks of a call made inside a node. */
const nodeOf = (metadata: Record<string, unknown> | undefined) =>
  typeof metadata?.langgraph_node === 'string' ? metadata.langgraph_node : undefined;

/** Tags LangGraph's `messages` mode leaves a model call's tokens out for. */
const NO_STREAM_TAGS = new Set(['nostream', 'langsmith:nostream']);

/** A queue the callback and the graph's pump both write to, and the turn reads in the order written. */
class ItemQueue {
  private readonly items: unknown[] = [];
  private failure: { error: unknown } | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  /** Adds `item`, unless the queue has ended (a model call outliving its aborted graph). */
  push(item: unknown): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  end(failure?: { error: unknown }): void {
    this.ended = true;
    this.failure = failure;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *drain(): AsyncGenerator<unknown> {
    let read = 0;
    for (;;) {
      if (read < this.items.length) {
        const item = this.items[read];
        this.items[read++] = undefined;
        if (read === this.items.length) {
          this.items.length = 0;
          read = 0;
        }
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

/**
 * The items of the graph stream `open` starts with the callbacks it is given (stream mode `updates`), with each
 * token of a model call made inside a node among them as LangGraph's `messages` mode would give it: `['messages',
 * [chunk, { langgraph_node }]]`, in the order they came. A reader that stops early closes the graph stream; the
 * graph's error ends the items with that error.
 */
export async function* withModelTokens(
  open: (callbacks: object[]) => Promise<AsyncIterable<unknown>>,
): AsyncGenerator<unknown> {
  const queue = new ItemQueue();
  const nodes = new Map<string, string | undefined>();
  const tokens = {
    name: 'TurnModelTokens',
    // The model streams inside its node (as for LangGraph's own handler), and each token is handled in line, in order.
    lc_prefer_streaming: true,
    awaitHandlers: true,
    handleChatModelStart: (...args: unknown[]) => {
      // A call tagged not to stream (a middleware's own model call, say) stays out of the reply, as LangGraph's handler keeps it.
      const tags = Array.isArray(args[5]) ? (args[5] as unknown[]) : [];
      if (tags.some((tag) => NO_STREAM_TAGS.has(tag as string))) return;
      nodes.set(args[2] as string, nodeOf(args[6] as Record<string, unknown> | undefined));
    },
    handleLLMNewToken: (...args: unknown[]) => {
      const runId = args[2] as string;
      if (!nodes.has(runId)) return;
      // The chunk's message as the model made it (usage included); a bare token, as LangGraph's handler does, when none.
      const message = (args[5] as { chunk?: { message?: unknown } } | undefined)?.chunk?.message ?? {
        content: args[0],
      };
      queue.push(['messages', [message, { langgraph_node: nodes.get(runId) }]]);
    },
    handleLLMEnd: (...args: unknown[]) => void nodes.delete(args[1] as string),
    handleLLMError: (...args: unknown[]) => void nodes.delete(args[1] as string),
  };
  // Opened inside the pump: LangGraph's `stream()` resolves only once the graph has its first item, and with
  // `updates` alone that is after the model's whole reply, whose tokens must reach the reader meanwhile.
  let graph: AsyncIterator<unknown> | undefined;
  let stopped = false;
  let pumped = false;
  void (async () => {
    try {
      graph = (await open([tokens]))[Symbol.asyncIterator]();
      for (;;) {
        if (stopped) break;
        const next = await graph.next();
        if (next.done) break;
        queue.push(next.value);
      }
      queue.end();
    } catch (error) {
      queue.end({ error });
    } finally {
      pumped = true;
      if (stopped) Promise.resolve(graph?.return?.()).catch(() => undefined);
    }
  })();
  try {
    yield* queue.drain();
  } finally {
    // A reader that stopped early: the graph stream is closed once its pending read settles (the turn's abort
    // signal is what stops a model call under way).
    if (!pumped) {
      stopped = true;
      Promise.resolve(graph?.return?.()).catch(() => undefined);
    }
  }
}
