// Open streams that use up the server's file descriptors: a request that then cannot open a file gets a 503 in the
// envelope, not a 500, and the server works again once the streams close.
import { describe, expect, it } from 'bun:test';
import { readdirSync } from 'node:fs';
import { waitUntil } from '../support/process-probe';
import { startServerProcess } from '../support/server-process';

const FILE_LIMIT = 96;

/** A raw connection that keeps everything it reads (a response may stay open: an SSE stream). */
async function connection(url: string) {
  const target = new URL(url);
  let received = '';
  const socket = await Bun.connect({
    hostname: target.hostname,
    port: Number(target.port),
    socket: {
      data: (_socket, data) => {
        received += data.toString('utf8');
      },
      error: () => undefined,
    },
  });
  return {
    socket,
    received: () => received,
    send(method: string, path: string, body = '') {
      const head = `${method} ${path} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n`;
      socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    },
  };
}

describe(`a server under ulimit -n ${FILE_LIMIT} whose descriptors open streams hold`, () => {
  it('answers a request that cannot open a file 503 storage_unavailable, and recovers', async () => {
    await using running = await startServerProcess({
      launcher: ['/bin/sh', '-c', `ulimit -n ${FILE_LIMIT} && exec "$0" "$@"`],
      // The streams below are all on one run: more than the default cap of rejoin streams a run may have open.
      env: { APP_MAX_REJOIN_STREAMS_PER_RUN: String(FILE_LIMIT) },
    });
    const { server, model, api } = running;
    const openFiles = () => readdirSync(`/proc/${server.child.pid}/fd`).length;
    model.setFallback({ kind: 'hang' });
    const session = await api('POST', '/api/sessions', {});
    const chat = await connection(server.url);
    chat.send('POST', '/api/chat', JSON.stringify({ message: 'hi', session_id: session.body.data.session_id }));
    expect(await waitUntil(() => /"run_id": "[^"]+"/.test(chat.received()))).toBe(true);
    const runId = /"run_id": "([^"]+)"/.exec(chat.received())![1]!;

    // A connection accepted while descriptors were left, kept alive for the request that follows.
    const held = await connection(server.url);
    held.send('GET', '/api/health');
    expect(await waitUntil(() => held.received().includes('"ok"'))).toBe(true);
    // Rejoin streams of the waiting run until the process has no descriptor left.
    const streams = [];
    while (openFiles() < FILE_LIMIT) {
      const stream = await connection(server.url);
      stream.send('GET', `/api/runs/${runId}/events`);
      streams.push(stream);
      await waitUntil(() => stream.received().startsWith('HTTP/1.1 200') || openFiles() >= FILE_LIMIT);
    }

    const before = held.received().length;
    held.send('POST', '/api/agents', JSON.stringify({ agent_id: 'crowded' }));
    expect(await waitUntil(() => held.received().slice(before).includes('"request_id"'))).toBe(true);
    const answer = held.received().slice(before);
    expect(answer.split(' ')[1]).toBe('503');
    expect(JSON.parse(answer.slice(answer.indexOf('{')))).toMatchObject({
      error: { code: 'storage_unavailable', details: { reason: 'too_many_open_files' } },
    });

    for (const stream of [...streams, held, chat]) stream.socket.terminate();
    expect(await waitUntil(() => openFiles() < FILE_LIMIT / 2)).toBe(true);
    expect((await api('POST', '/api/agents', { agent_id: 'crowded' })).status).toBe(200);
    expect((await api('POST', `/api/runs/${runId}/cancel`)).status).toBe(200);
  }, 60_000);
});
