// Server-sent events: CRLF framing, Python-style spaced JSON, keep-alive comments, unsubscribe on disconnect.
import type { RunEvent } from '../chat';

const KEEP_ALIVE_MS = 15_000;
const encoder = new TextEncoder();

/** JSON with a space after `:` and `,` (the contract's wire form); strings escaped as JSON.stringify does. */
export function spacedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => spacedJson(item === undefined ? null : item)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${spacedJson(item)}`).join(', ')}}`;
}

/** The `data` JSON of an event; a token's (one per streamed piece of text) is built directly, the same bytes as spacedJson. */
function eventData(event: RunEvent): string {
  if (event.type === 'token')
    return `{"content": ${JSON.stringify(event.data.content)}, "source": "${event.data.source}"}`;
  return spacedJson(event.data);
}

/** One event; an event of a run also carries its `id:` (`<run_id>:<seq>`), which `Last-Event-ID` sends back. */
export function formatSseEvent(event: RunEvent): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\r\n`;
  return `event: ${event.type}\r\ndata: ${eventData(event)}\r\n${id}\r\n`;
}

export interface SseSource extends AsyncIterable<RunEvent> {
  close(): void;
}

/** Events a response holds for a client that reads slowly; past it the run's own bounded buffer keeps them. */
const QUEUED_EVENTS = 16;

/**
 * A streaming response over `source`; a client that goes away only closes its subscription. `comment` is
 * sent first as an SSE comment: the headers go out with it, for a source that may stay quiet (a queued turn).
 * Events are pulled as the client takes them: a slow or stalled client falls behind in the run's buffer
 * (and is told `events_expired` if it falls too far) instead of the whole run piling up here for it.
 */
export function sseResponse(
  source: SseSource,
  headers: Record<string, string>,
  keepAliveMs = KEEP_ALIVE_MS,
  comment?: string,
): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  const events = source[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (comment) controller.enqueue(encoder.encode(`: ${comment}\r\n\r\n`));
        timer = setInterval(() => {
          // A client that is not reading gets no pings piled up either.
          if ((controller.desiredSize ?? 0) <= 0) return;
          try {
            controller.enqueue(encoder.encode(`: ping - ${new Date().toISOString()}\r\n\r\n`));
          } catch {
            // The stream is closed (the client went away): stop pinging it.
            clearInterval(timer);
          }
        }, keepAliveMs);
      },
      async pull(controller) {
        try {
          const next = await events.next();
          if (!next.done) return controller.enqueue(encoder.encode(formatSseEvent(next.value)));
          clearInterval(timer);
          controller.close();
        } catch {
          // The client went away mid-write, or the source failed; the run goes on without this stream.
          clearInterval(timer);
          source.close();
          try {
            controller.close();
          } catch {
            // Already closed by the client.
          }
        }
      },
      cancel() {
        clearInterval(timer);
        source.close();
        void events.return?.(undefined).catch(() => undefined);
      },
    },
    { highWaterMark: QUEUED_EVENTS },
  );
  return new Response(stream, {
    headers: {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
