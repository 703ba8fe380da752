// Bounds what a model provider's answer can make the server hold: no line of its body may pass a size.
/** A line of a provider's answer larger than this is refused: an SSE chunk is a few hundred bytes. */
export const MAX_MODEL_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * A request's fetch options may carry `{ lastMs }` under this key: each body chunk stamps it, keep-alive
 * comments included (the SDK drops those before the stream guard could see them).
 */
export const STREAM_ACTIVITY = Symbol('model stream activity');

/** A provider's answer had a line longer than the limit; the rest of its body was not read. */
export class ModelOutputTooLargeError extends Error {
  override readonly name = 'ModelOutputTooLargeError';

  constructor(readonly maxLineBytes: number) {
    super(
      `The model's answer had a line over ${Math.round(maxLineBytes / 1024 / 1024)} MiB without a newline; it was cut off.`,
    );
  }
}

/**
 * A fetch for the model client whose response bodies error once a single line (the bytes after the last
 * newline, decompressed) passes `maxLineBytes`. The OpenAI SDK buffers an SSE line whole before parsing it,
 * and reads an error body or a non-streamed answer whole, so a provider sending 100 MB without a newline,
 * or a gzip bomb, would otherwise grow the heap without limit. The body fails with ModelOutputTooLargeError
 * (the turn reports it as `llm_error`).
 */
export function boundedFetch(maxLineBytes = MAX_MODEL_LINE_BYTES, base: typeof fetch = fetch): typeof fetch {
  const bounded = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const response = await base(input, init);
    if (!response.body) return response;
    const activity = (init as { [STREAM_ACTIVITY]?: { lastMs: number } } | undefined)?.[STREAM_ACTIVITY];
    let lineBytes = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (activity) activity.lastMs = performance.now();
        const lastNewline = chunk.lastIndexOf(NEWLINE);
        lineBytes = lastNewline < 0 ? lineBytes + chunk.length : chunk.length - lastNewline - 1;
        if (lineBytes > maxLineBytes) {
          controller.error(new ModelOutputTooLargeError(maxLineBytes));
          return;
        }
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return Object.assign(bounded, { preconnect: base.preconnect }) as typeof fetch;
}
