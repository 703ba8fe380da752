// Server-sent events: CRLF framing, Python-style spaced JSON, keep-alive comments, unsubscribe on disconnect.
import type { RunEvent } from '../chat';
import type { OpenStreams } from './open-streams';

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

export interface SseOptions {
  /** How often a quiet stream gets a keep-alive comment (15 s). */
  keepAliveMs?: number;
  /** Sent first as an SSE comment: the headers go out with it, for a source that may stay quiet (a queued turn). */
  comment?: string;
  /** Where the stream is listed while open, so a stopping server can send it a last `error` event and end it. */
  streams?: OpenStreams;
  /** Called once when the stream is over, however it ended (a rejoin gives back its slot). */
  onEnd?: () => void;
}

/** Events a response holds for a client that reads slowly; past it the run's own bounded buffer keeps them. */
const QUEUED_EVENTS = 16;

/** The run an event belongs to: its id is `<run_id>:<seq>` (events said to one subscriber only carry none). */
function runIdOf(event: RunEvent): string | null {
  if (event.id === undefined) return null;
  const colon = event.id.lastIndexOf(':');
  return colon > 0 ? event.id.slice(0, colon) : null;
}

/**
 * A streaming response over `source`; a client that goes away only closes its subscription.
 * Events are pulled as the client takes them: a slow or stalled client falls behind in the run's buffer
 * (and is told `events_expired` if it falls too far) instead of the whole run piling up here for it.
 * Ended through `options.streams`, it sends a last `error` event (`run_id`: the run its events came from,
 * `''` before the first) and closes; the run itself goes on.
 */
export function sseResponse(source: SseSource, headers: Record<string, string>, options: SseOptions = {}): Response {
  const keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS;
  let timer: ReturnType<typeof setInterval> | undefined;
  let finished = false;
  let runId = '';
  let untrack: () => void = () => undefined;
  /** The stream is over (its source ended or failed, its client left, or it was ended): no pings, not listed. */
  const finish = () => {
    if (finished) return false;
    finished = true;
    clearInterval(timer);
    untrack();
    options.onEnd?.();
    return true;
  };
  const events = source[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (options.comment) controller.enqueue(encoder.encode(`: ${options.comment}\r\n\r\n`));
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
        const remove = options.streams?.add({
          end(reason) {
            if (!finish()) return;
            const last: RunEvent = {
              type: 'error',
              data: { error: reason.message, run_id: runId, attempt: 1, code: reason.code },
            };
            try {
              controller.enqueue(encoder.encode(formatSseEvent(last)));
              controller.close();
            } catch {
              // The client went away meanwhile: nobody is left to tell.
            }
            source.close();
            void events.return?.(undefined).catch(() => undefined);
          },
        });
        if (remove) untrack = remove;
        if (finished) remove?.();
      },
      async pull(controller) {
        try {
          const next = await events.next();
          // Ended meanwhile (the server is stopping): its last event has been sent.
          if (finished) return;
          if (!next.done) {
            // A stream follows one run: its id is read off the first event that names it, not off every token.
            if (!runId) runId = runIdOf(next.value) ?? '';
            return controller.enqueue(encoder.encode(formatSseEvent(next.value)));
          }
          finish();
          controller.close();
        } catch {
          // The client went away mid-write, or the source failed; the run goes on without this stream.
          finish();
          source.close();
          try {
            controller.close();
          } catch {
            // Already closed by the client.
          }
        }
      },
      cancel() {
        finish();
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
