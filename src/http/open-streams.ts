// The SSE responses open now, so a stopping server can tell each one why it ends before it cuts the connections.

/** Why every open stream ends: sent as the `code` and `error` of its last `error` event. */
export interface StreamEnd {
  code: string;
  message: string;
}

/** One open stream: `end` sends its last event (an `error` with `reason`) and closes it. */
export interface OpenStream {
  end(reason: StreamEnd): void;
}

export interface OpenStreams {
  /** Adds a stream while it is open; returns the function that removes it (when it ends by itself or its client leaves). */
  add(stream: OpenStream): () => void;
  /**
   * Ends every open stream with `reason` as its last event, and from now on ends a stream opened later at once
   * the same way (a request that got past the listener's stop). Returns how many were open.
   */
  endAll(reason: StreamEnd): number;
  /** How many streams are open. */
  readonly size: number;
}

export function createOpenStreams(): OpenStreams {
  const open = new Set<OpenStream>();
  let ended: StreamEnd | null = null;
  return {
    add(stream) {
      if (ended) {
        stream.end(ended);
        return () => undefined;
      }
      open.add(stream);
      return () => open.delete(stream);
    },
    endAll(reason) {
      ended ??= reason;
      const streams = [...open];
      open.clear();
      for (const stream of streams) stream.end(reason);
      return streams.length;
    },
    get size() {
      return open.size;
    },
  };
}
