// Times a streamed body: when given markers first appear and when it ended, scanning each chunk once.

/** Milliseconds from `started` to each marker's first appearance (NaN when it never came), and to the body's end. */
export interface StreamTimes {
  at: Record<string, number>;
  endMs: number;
}

/**
 * Reads `response` to its end. Only the new bytes (plus a tail as long as the longest marker) are searched,
 * so a 1,000-token reply costs the client no more than its length. `onMarker` runs as each marker is first seen.
 */
export async function timeStream(
  response: Response,
  markers: string[],
  started: number,
  onMarker?: (marker: string) => void,
): Promise<StreamTimes> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const at: Record<string, number> = Object.fromEntries(markers.map((marker) => [marker, NaN]));
  const overlap = Math.max(...markers.map((marker) => marker.length));
  let pending = markers;
  let tail = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (pending.length === 0) continue;
    const window = tail + decoder.decode(value, { stream: true });
    const now = performance.now() - started;
    for (const marker of pending) {
      if (!window.includes(marker)) continue;
      at[marker] = now;
      onMarker?.(marker);
    }
    pending = pending.filter((marker) => Number.isNaN(at[marker]));
    tail = window.slice(-overlap);
  }
  return { at, endMs: performance.now() - started };
}
