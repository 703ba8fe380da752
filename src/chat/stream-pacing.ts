// Lets a streamed model reply reach the client as it is read: the event loop runs after the first text chunk and every few ms.
//
// Bun writes what a response stream was given only when JavaScript returns to the event loop. A reply that is
// already whole in the socket (a fast model, or chunks that queued while the thread was busy) is read by the
// OpenAI SDK, LangChain and LangGraph through promise continuations alone, so without a pause no token would
// leave before the last one, `done`, the stored reply and the usage row had been worked out.

/** At most this long (wall time) between two returns to the event loop while chunks keep coming. */
export const STREAM_SLICE_MS = 4;

/**
 * Resolves two event-loop turns from now. Measured on Bun 1.4.4: what a response stream was given after the
 * handler's first I/O wait leaves the process only after two turns (its sink reads it in the first), and a
 * turn with nothing to do costs about 3 µs (`setTimeout(0)` would cost a whole millisecond).
 */
export const nextEventLoopTurn = (): Promise<void> =>
  new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/** True for a streamed completion chunk whose delta carries text, reasoning or a tool call. */
function carriesOutput(chunk: unknown): boolean {
  const choices = (chunk as { choices?: { delta?: Record<string, unknown> }[] } | null)?.choices;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) {
    const delta = choice?.delta;
    if (delta && (delta.content || delta.reasoning_content || delta.tool_calls)) return true;
  }
  return false;
}

/**
 * Passes `chunks` through unchanged, returning to the event loop before the chunk after the first one with
 * output, and then whenever `sliceMs` have passed since the last return. The pause costs one event-loop turn;
 * a reply whose chunks arrive apart waits on I/O between them anyway.
 */
export async function* pacedStream<T>(chunks: AsyncIterable<T>, sliceMs = STREAM_SLICE_MS): AsyncGenerator<T> {
  let sentOutput = false;
  let sliceStart = performance.now();
  for await (const chunk of chunks) {
    yield chunk;
    const first = !sentOutput && carriesOutput(chunk);
    if (first) sentOutput = true;
    if (first || performance.now() - sliceStart >= sliceMs) {
      await nextEventLoopTurn();
      sliceStart = performance.now();
    }
  }
}
