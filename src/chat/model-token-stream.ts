// A turn's agent stream with the model's tokens taken from a callback instead of LangGraph's `messages` mode.
// LangGraph's `messages` mode runs its own handler on every node's start and end, keeps every message it has seen
// for the stream's life, and routes each token through the graph's stream. With the tokens taken straight from the
// model's callback and `updates` alone from the graph, a 200-turn burst peaked 20–37 MB lower and used a little less
// CPU per turn (README "Turn cost: eighth round"; bench/stream-path.bench.ts compares the paths alone).

import { followSignals } from '../shared/follow-signals';
import { ItemQueue } from './model-worker/item-queue';

/** The node a model call ran in, as LangGraph gives it to the callbacks of a call made inside a node. */
const nodeOf = (metadata: Record<string, unknown> | undefined) =>
  typeof metadata?.langgraph_node === 'string' ? metadata.langgraph_node : undefined;

/** Tags LangGraph's `messages` mode leaves a model call's tokens out for. */
const NO_STREAM_TAGS = new Set(['nostream', 'langsmith:nostream']);

/**
 * The items of the graph stream `open` starts with the callbacks it is given (stream mode `updates`), with each
 * token of a model call made inside a node among them as LangGraph's `messages` mode would give it: `['messages',
 * [chunk, { langgraph_node }]]`, in the order they came. `open` is given the signal to run the graph under: it
 * follows the turn's `signal`, and is aborted as well when the reader stops early (the model call under way ends at
 * once, before the graph has an item), after which the graph stream is closed. The graph's error ends the items
 * with that error; a token that comes after the end is dropped.
 */
export function withModelTokens(
  open: (callbacks: object[], signal: AbortSignal) => Promise<AsyncIterable<unknown>>,
  signal?: AbortSignal,
): ItemQueue {
  let graph: AsyncIterator<unknown> | undefined;
  let pumped = false;
  let stopped = false;
  let closed = false;
  /** Closes the graph stream once it is open; a pending read settles first (aborted through the graph's signal). */
  const close = () => {
    if (closed || !graph) return;
    closed = true;
    Promise.resolve(graph.return?.()).catch(() => undefined);
  };
  // The graph's signal: the turn's or the reader's stop, followed until the pump ends (a finished run keeps the turn's
  // signal for rejoining, which must not keep this one).
  const readerStop = new AbortController();
  const pumpEnd = Promise.withResolvers<void>();
  const graphSignal = followSignals(signal ? [signal, readerStop.signal] : [readerStop.signal], pumpEnd.promise);
  const queue = new ItemQueue(() => {
    // The reader stopped before the graph's end: the graph is aborted and closed now, or as soon as it opens.
    if (pumped) return;
    stopped = true;
    readerStop.abort(new Error('the reader of the turn stopped'));
    close();
  });
  const nodes = new Map<string, string | undefined>();
  const tokens = {
    name: 'TurnModelTokens',
    // The model streams inside its node (as for LangGraph's own handler), and each token is handled in line, in order.
    lc_prefer_streaming: true,
    awaitHandlers: true,
    // Only the model's own events are wanted: every chain, tool, retriever and custom event of the graph is
    // otherwise dispatched to this handler too (an awaited callback each).
    ignoreChain: true,
    ignoreAgent: true,
    ignoreRetriever: true,
    ignoreCustomEvent: true,
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
      queue.push([['messages', [message, { langgraph_node: nodes.get(runId) }]]]);
    },
    handleLLMEnd: (...args: unknown[]) => void nodes.delete(args[1] as string),
    handleLLMError: (...args: unknown[]) => void nodes.delete(args[1] as string),
  };
  // Opened inside the pump: LangGraph's `stream()` resolves only once the graph has its first item, and with
  // `updates` alone that is after the model's whole reply, whose tokens must reach the reader meanwhile.
  void (async () => {
    let failure: { error: unknown } | undefined;
    try {
      graph = (await open([tokens], graphSignal))[Symbol.asyncIterator]();
      while (!stopped) {
        const next = await graph.next();
        if (next.done) break;
        queue.push([next.value]);
      }
    } catch (error) {
      failure = { error };
    }
    pumped = true;
    pumpEnd.resolve();
    if (stopped) close();
    if (failure) queue.fail(failure.error);
    else queue.end();
  })();
  return queue;
}
