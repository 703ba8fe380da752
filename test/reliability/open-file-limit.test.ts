// Open streams that use up the server's file descriptors: a request that then cannot open a file gets a 503 in the
// envelope, not a 500, and the server works again once the streams close.
import { describe, expect, it } from 'bun:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openFilesUnder, waitUntil } from '../support/process-probe';
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

/** A server under the file limit with a turn waiting on its model; `env` is layered over the test's own. */
async function crowdedServer(env: Record<string, string> = {}) {
  const running = await startServerProcess({
    launcher: ['/bin/sh', '-c', `ulimit -n ${FILE_LIMIT} && exec "$0" "$@"`],
    // The streams below are all on one run: more than the default cap of rejoin streams a run may have open.
    env: { APP_MAX_REJOIN_STREAMS_PER_RUN: String(FILE_LIMIT), ...env },
  });
  const { server, model, api } = running;
  const openFiles = () => readdirSync(`/proc/${server.child.pid}/fd`).length;
  model.setFallback({ kind: 'hang' });
  const session = await api('POST', '/api/sessions', {});
  const chat = await connection(server.url);
  chat.send('POST', '/api/chat', JSON.stringify({ message: 'hi', session_id: session.body.data.session_id }));
  expect(await waitUntil(() => /"run_id": "[^"]+"/.test(chat.received()))).toBe(true);
  const runId = /"run_id": "([^"]+)"/.exec(chat.received())![1]!;
  const streams = [chat];
  return {
    running,
    runId,
    openFiles,
    /** Opens rejoin streams of the waiting run until the process has no descriptor left. */
    async useUpDescriptors() {
      while (openFiles() < FILE_LIMIT) {
        const stream = await connection(server.url);
        stream.send('GET', `/api/runs/${runId}/events`);
        streams.push(stream);
        await waitUntil(() => stream.received().startsWith('HTTP/1.1 200') || openFiles() >= FILE_LIMIT);
      }
    },
    /** Closes the streams (the chat's among them) and waits until their descriptors are back. */
    async freeDescriptors() {
      for (const stream of streams) stream.socket.terminate();
      expect(await waitUntil(() => openFiles() < FILE_LIMIT / 2)).toBe(true);
    },
  };
}

/** Sends a request on `held` and gives its status and parsed error envelope. */
async function answerOf(held: Awaited<ReturnType<typeof connection>>, method: string, path: string, body = '') {
  const before = held.received().length;
  held.send(method, path, body);
  expect(await waitUntil(() => held.received().slice(before).includes('"request_id"'))).toBe(true);
  const answer = held.received().slice(before);
  return { status: answer.split(' ')[1], body: JSON.parse(answer.slice(answer.indexOf('{'))) };
}

describe(`a server under ulimit -n ${FILE_LIMIT} whose descriptors open streams hold`, () => {
  it('answers a request that cannot open a file 503 storage_unavailable, and recovers', async () => {
    const crowded = await crowdedServer();
    await using running = crowded.running;
    // A connection accepted while descriptors were left, kept alive for the request that follows.
    const held = await connection(running.server.url);
    held.send('GET', '/api/health');
    expect(await waitUntil(() => held.received().includes('"ok"'))).toBe(true);
    await crowded.useUpDescriptors();

    const answer = await answerOf(held, 'POST', '/api/agents', JSON.stringify({ agent_id: 'crowded' }));
    expect(answer.status).toBe('503');
    expect(answer.body).toMatchObject({
      error: { code: 'storage_unavailable', details: { reason: 'too_many_open_files' } },
    });

    held.socket.terminate();
    await crowded.freeDescriptors();
    expect((await running.api('POST', '/api/agents', { agent_id: 'crowded' })).status).toBe(200);
    expect((await running.api('POST', `/api/runs/${crowded.runId}/cancel`)).status).toBe(200);
  }, 60_000);

  it("answers 503 too_many_open_files, not SQLite's CANTOPEN, when an agent's database cannot be opened for it", async () => {
    // One agent open besides the running one: opening another closes the one used before it.
    const crowded = await crowdedServer({ APP_MAX_OPEN_AGENTS: '1' });
    await using running = crowded.running;
    const { api, server } = running;
    for (const agentId of ['sleeper', 'other'])
      expect((await api('POST', '/api/agents', { agent_id: agentId })).status).toBe(200);
    expect((await api('GET', '/api/sessions?agent_id=other')).status).toBe(200);
    const sleeper = join(running.dataDir, 'workspaces', 'sleeper');
    expect(await waitUntil(() => openFilesUnder(sleeper, server.child.pid).length === 0)).toBe(true);
    const held = await connection(server.url);
    held.send('GET', '/api/health');
    expect(await waitUntil(() => held.received().includes('"ok"'))).toBe(true);
    await crowded.useUpDescriptors();

    const answer = await answerOf(held, 'GET', '/api/sessions?agent_id=sleeper');
    expect({ status: answer.status, error: answer.body.error }).toEqual({
      status: '503',
      error: expect.objectContaining({ code: 'storage_unavailable', details: { reason: 'too_many_open_files' } }),
    });

    held.socket.terminate();
    await crowded.freeDescriptors();
    expect((await api('GET', '/api/sessions?agent_id=sleeper')).status).toBe(200);
  }, 60_000);
});
