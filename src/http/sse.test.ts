import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import type { ChatEvent } from '../chat';
import { createOpenStreams } from './open-streams';
import { formatSseEvent, spacedJson, sseResponse, type SseSource } from './sse';

/** A source that yields `first`, then waits until `release()` before yielding `last`. */
function gatedSource(first: ChatEvent, last: ChatEvent) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let closed = false;
  const source: SseSource = {
    async *[Symbol.asyncIterator]() {
      yield first;
      await gate;
      yield last;
    },
    close: () => (closed = true),
  };
  return { source, release, isClosed: () => closed };
}

describe('sse', () => {
  it('frames events with CRLF and the spaced JSON of the contract', () => {
    expect(spacedJson({ a: 1, b: [1, 'x'], c: undefined })).toBe('{"a": 1, "b": [1, "x"]}');
    expect(formatSseEvent({ type: 'token', data: { content: 'hi', source: 'messages' } } as ChatEvent)).toBe(
      'event: token\r\ndata: {"content": "hi", "source": "messages"}\r\n\r\n',
    );
    expect(formatSseEvent({ type: 'new_response', data: {}, id: 'run-1:7' } as ChatEvent)).toBe(
      'event: new_response\r\ndata: {}\r\nid: run-1:7\r\n\r\n',
    );
  });

  it('frames a token directly with the same bytes as the generic framing, whatever its text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom('messages', 'updates'), (content, source) => {
        const event = { type: 'token', data: { content, source } } as ChatEvent;
        expect(formatSseEvent(event)).toBe(`event: token\r\ndata: ${spacedJson(event.data)}\r\n\r\n`);
      }),
    );
    const awkward = {
      type: 'token',
      data: { content: '"\n\r\u2028\\</script>\u0000', source: 'messages' },
    } as ChatEvent;
    expect(formatSseEvent(awkward)).toBe(`event: token\r\ndata: ${spacedJson(awkward.data)}\r\n\r\n`);
  });

  it('sends keep-alive comments while the run is quiet, then the rest of the events', async () => {
    const first = { type: 'token', data: { content: 'a', source: 'messages' } } as ChatEvent;
    const last = { type: 'token', data: { content: 'b', source: 'messages' } } as ChatEvent;
    const { source, release } = gatedSource(first, last);
    const response = sseResponse(source, {}, { keepAliveMs: 5 });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!/: ping - \S+\r\n\r\n/.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
    release();
    for (let next = await reader.read(); !next.done; next = await reader.read())
      text += decoder.decode(next.value, { stream: true });
    expect(text.startsWith(formatSseEvent(first))).toBe(true);
    expect(text.endsWith(formatSseEvent(last))).toBe(true);
  });

  it('closes only the subscription when the client goes away', async () => {
    const first = { type: 'token', data: { content: 'a', source: 'messages' } } as ChatEvent;
    const { source, isClosed } = gatedSource(first, first);
    const response = sseResponse(source, {}, { keepAliveMs: 5 });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(isClosed()).toBe(true);
  });

  it('ends with a last error event naming its run when its open streams are ended, and closes its source', async () => {
    const first = { type: 'run_start', data: { run_id: 'run-1', attempt: 1 }, id: 'run-1:1' } as ChatEvent;
    const { source, isClosed } = gatedSource(first, first);
    const streams = createOpenStreams();
    const response = sseResponse(source, {}, { keepAliveMs: 60_000, streams });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\r\n\r\n')) text += decoder.decode((await reader.read()).value, { stream: true });
    expect(streams.size).toBe(1);
    expect(streams.endAll({ code: 'not_ready', message: 'Stopping.' })).toBe(1);
    for (let next = await reader.read(); !next.done; next = await reader.read())
      text += decoder.decode(next.value, { stream: true });
    const last = { type: 'error', data: { error: 'Stopping.', run_id: 'run-1', attempt: 1, code: 'not_ready' } };
    expect(text).toBe(formatSseEvent(first) + formatSseEvent(last as ChatEvent));
    expect(isClosed()).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('ends a stream opened after its streams were ended at once, with the same last event', async () => {
    const streams = createOpenStreams();
    streams.endAll({ code: 'not_ready', message: 'Stopping.' });
    const first = { type: 'token', data: { content: 'a', source: 'messages' } } as ChatEvent;
    const { source, isClosed } = gatedSource(first, first);
    const text = await sseResponse(source, {}, { streams, comment: 'queued' }).text();
    const last = { type: 'error', data: { error: 'Stopping.', run_id: '', attempt: 1, code: 'not_ready' } };
    expect(text).toBe(`: queued\r\n\r\n${formatSseEvent(last as ChatEvent)}`);
    expect(isClosed()).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('leaves the open streams when its source ends by itself', async () => {
    const streams = createOpenStreams();
    const source: SseSource = {
      async *[Symbol.asyncIterator]() {
        // No events: the run ended before this stream took any.
      },
      close: () => undefined,
    };
    expect(await sseResponse(source, {}, { streams }).text()).toBe('');
    expect(streams.size).toBe(0);
  });

  it('calls onEnd once however the stream ends: its source ends, its client leaves, or its streams are ended', async () => {
    const first = { type: 'token', data: { content: 'a', source: 'messages' } } as ChatEvent;
    const ends = { source: 0, client: 0, stopped: 0 };
    const ending = gatedSource(first, first);
    const ended = sseResponse(ending.source, {}, { onEnd: () => (ends.source += 1) });
    ending.release();
    await ended.text();
    const leaving = sseResponse(gatedSource(first, first).source, {}, { onEnd: () => (ends.client += 1) });
    const reader = leaving.body!.getReader();
    await reader.read();
    await reader.cancel();
    const streams = createOpenStreams();
    const stopping = sseResponse(gatedSource(first, first).source, {}, { streams, onEnd: () => (ends.stopped += 1) });
    const stoppedReader = stopping.body!.getReader();
    await stoppedReader.read();
    streams.endAll({ code: 'not_ready', message: 'Stopping.' });
    while (!(await stoppedReader.read()).done);
    expect(ends).toEqual({ source: 1, client: 1, stopped: 1 });
  });
});
