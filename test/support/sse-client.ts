// Reads a text/event-stream response into {event, data} records, as a browser client would.

export interface SseRecord {
  event: string;
  data: any;
  raw: string;
  /** The `id:` line, when the event had one. */
  id?: string;
}

/** Parses a whole SSE text (CRLF or LF framing); comments are dropped. */
export function parseSse(text: string): SseRecord[] {
  const records: SseRecord[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) continue;
    const raw = data.join('\n');
    records.push({ event, data: JSON.parse(raw), raw, ...(id === undefined ? {} : { id }) });
  }
  return records;
}

/** Reads the response to its end and parses it. */
export async function readSse(response: Response): Promise<SseRecord[]> {
  return parseSse(await response.text());
}

/** Creates a session on the server at `baseUrl`, sends `message` there as a streamed turn and reads all its events. */
export async function chatInNewSession(baseUrl: string, message: string): Promise<SseRecord[]> {
  const session = (await (await fetch(`${baseUrl}/api/sessions`, { method: 'POST' })).json()) as {
    data: { session_id: string };
  };
  const response = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, session_id: session.data.session_id }),
  });
  return readSse(response);
}

/** Reads until `predicate` matches an event, then cancels the body (a disconnecting client). */
export async function readSseUntil(
  response: Response,
  predicate: (record: SseRecord) => boolean,
): Promise<SseRecord[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) return parseSse(buffer);
    buffer += decoder.decode(value, { stream: true });
    const records = parseSse(buffer.slice(0, Math.max(buffer.lastIndexOf('\r\n\r\n'), 0)));
    if (records.some(predicate)) {
      await reader.cancel();
      return records;
    }
  }
}

/** The events of a response as they arrive; stopping the iteration (break, return) cancels the body. */
export async function* streamSse(response: Response): AsyncGenerator<SseRecord> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        yield* parseSse(buffer);
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      const end = buffer.lastIndexOf('\r\n\r\n');
      if (end < 0) continue;
      const complete = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      yield* parseSse(complete);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Reads `stream` (from streamSse) until an event matches `until` (a name or a predicate) and returns what
 * it read; the stream stays open. Reads with next(): leaving a for-await loop would close it.
 */
export async function readStreamUntil(
  stream: AsyncGenerator<SseRecord>,
  until: string | ((record: SseRecord) => boolean),
): Promise<SseRecord[]> {
  const matches = typeof until === 'string' ? (record: SseRecord) => record.event === until : until;
  const seen: SseRecord[] = [];
  for (let next = await stream.next(); !next.done; next = await stream.next()) {
    seen.push(next.value);
    if (matches(next.value)) return seen;
  }
  throw new Error(`stream ended before the awaited event: ${seen.map((record) => record.event).join(', ')}`);
}

/** The rest of `stream`, to its end. */
export async function readStreamRest(stream: AsyncGenerator<SseRecord>): Promise<SseRecord[]> {
  const seen: SseRecord[] = [];
  for await (const record of stream) seen.push(record);
  return seen;
}

/**
 * The events of a turn whose model stream the fake cuts (`{ kind: 'cut', text, after }`): `release` settles
 * `after` once this client holds every token of `text` (or the stream ended first), so the cut cannot drop
 * tokens still unread on the server's side of the model connection.
 */
export async function readSseCutAfter(response: Response, text: string, release: () => void): Promise<SseRecord[]> {
  const seen: SseRecord[] = [];
  let received = '';
  try {
    for await (const record of streamSse(response)) {
      seen.push(record);
      if (record.event === 'token') received += record.data.content;
      if (received.length >= text.length) release();
    }
  } finally {
    release();
  }
  return seen;
}
