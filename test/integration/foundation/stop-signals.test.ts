// Stopping the real server mid-turn by signal: one deadline for the drain and the connections, a last event on
// every open stream, a second signal that stops at once, SIGHUP as a clean stop; the turn is kept `interrupted`,
// in storage before the process exits.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIgnoredSignal } from '../../../src/shared/signal-disposition';
import { waitUntil } from '../../support/process-probe';
import { type ServerProcess, startServerProcess } from '../../support/server-process';
import { readStreamRest, readStreamUntil, type SseRecord, streamSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

/** The server's JSON log lines with `message`, in order. */
function logLines(running: ServerProcess, message: string): Record<string, any>[] {
  return running.server
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => line.message === message);
}

/** Starts a streamed turn whose model never answers, and a rejoin of the same run; both are open when this resolves. */
async function hangingTurn(running: ServerProcess) {
  running.model.enqueue({ kind: 'hang' });
  const session = (await running.api('POST', '/api/sessions')).body.data.session_id as string;
  const chat = streamSse(
    await fetch(`${running.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Tell me a long story', session_id: session }),
    }),
  );
  const runId = (await readStreamUntil(chat, 'run_start')).at(-1)!.data.run_id as string;
  const rejoin = streamSse(await fetch(`${running.server.url}/api/runs/${runId}/events`));
  await readStreamUntil(rejoin, 'run_start');
  return { runId, chat, rejoin };
}

/** The last event every open stream gets when the server stops under a run. */
const stoppingEvent = (runId: string) => ({
  error:
    'The server is stopping before this run could finish; the run ends interrupted, with its reply so far kept in the session.',
  run_id: runId,
  attempt: 1,
  code: 'not_ready',
});

const lastOf = (events: SseRecord[]) => ({ event: events.at(-1)?.event, data: events.at(-1)?.data });

describe('stopping by signal mid-turn', () => {
  it('SIGTERM: drain and connections share one deadline, each stream gets a last error, the turn is kept interrupted', async () => {
    using temp = makeTempDir('moc-stop-');
    const dataDir = join(temp.path, 'data');
    let turn: Awaited<ReturnType<typeof hangingTurn>>;
    {
      await using running = await startServerProcess({ dataDir, env: { APP_LOG_LEVEL: 'info' } });
      turn = await hangingTurn(running);
      const exited = running.server.stop('SIGTERM', 20_000);
      // Both streams end cleanly (a cut connection would reject), each with the same last event.
      const [chatRest, rejoinRest] = await Promise.all([readStreamRest(turn.chat), readStreamRest(turn.rejoin)]);
      expect(await exited).toBe(0);
      expect(lastOf(chatRest)).toEqual({ event: 'error', data: stoppingEvent(turn.runId) });
      expect(lastOf(rejoinRest)).toEqual({ event: 'error', data: stoppingEvent(turn.runId) });
      const [stopping] = logLines(running, 'stopping');
      const [drain] = logLines(running, 'drain ended');
      const [stopped] = logLines(running, 'stopped');
      expect(stopping).toMatchObject({ signal: 'SIGTERM', deadline_ms: 5000 });
      // The run never ended; both its streams were told (whether the client then closed them in time or the
      // deadline cut them depends on how busy the machine is, so it is not asserted).
      expect(drain).toMatchObject({ all_ended: false, hurried: false, streams_ended: 2 });
      // One deadline for the whole stop: the drain's time is inside it, and so is the end of the stop.
      expect(drain!.elapsed_ms).toBeLessThanOrEqual(stopped!.elapsed_ms);
      expect(stopped!.elapsed_ms).toBeLessThan(stopping!.deadline_ms);
    }
    await using again = await startServerProcess({ dataDir });
    expect((await again.api('GET', `/api/runs/${turn.runId}`)).body.data.status).toBe('interrupted');
  }, 60_000);

  it('SIGTERM under a run that streams on past the drain: storage closes with it interrupted, its reply so far kept', async () => {
    using temp = makeTempDir('moc-stop-');
    const dataDir = join(temp.path, 'data');
    const text = 'Once upon a time, far away';
    await using running = await startServerProcess({ dataDir, env: { APP_LOG_LEVEL: 'info' } });
    // The model streams the whole text, then stalls: the run never ends by itself.
    running.model.enqueue({ kind: 'cut', text, after: new Promise(() => undefined) });
    const sessionId = (await running.api('POST', '/api/sessions')).body.data.session_id as string;
    const chat = streamSse(
      await fetch(`${running.server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Tell me a story', session_id: sessionId }),
      }),
    );
    let received = '';
    const seen = await readStreamUntil(chat, (record) => {
      if (record.event === 'token') received += record.data.content;
      return received === text;
    });
    const runId = seen.find((record) => record.event === 'run_start')!.data.run_id as string;
    const exited = running.server.stop('SIGTERM', 20_000);
    expect(lastOf(await readStreamRest(chat))).toEqual({ event: 'error', data: stoppingEvent(runId) });
    expect(await exited).toBe(0);
    expect(logLines(running, 'live runs ended interrupted as the server stops')).toEqual([
      expect.objectContaining({ runs: 1, stored: 1, all_written: true }),
    ]);
    expect(logLines(running, 'chat run failed')).toEqual([]);
    // Read as the process left it, before any start could sweep it.
    const db = new Database(join(dataDir, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
    try {
      const run = db.query('SELECT status, finished_ms FROM runs WHERE run_id = ?').get(runId) as any;
      expect(run.status).toBe('interrupted');
      expect(run.finished_ms).toBeNumber();
      expect(db.query('SELECT live_response FROM sessions WHERE id = ?').get(sessionId)).toEqual({
        live_response: null,
      });
      expect(
        db.query('SELECT role, content, run_id, status FROM messages WHERE session_id = ? ORDER BY id').all(sessionId),
      ).toEqual([
        { role: 'user', content: 'Tell me a story', run_id: null, status: null },
        { role: 'assistant', content: text, run_id: runId, status: 'interrupted' },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('SIGTERM under a non-streamed turn: its answer is 503 not_ready naming the run, not a cut connection', async () => {
    using temp = makeTempDir('moc-stop-');
    await using running = await startServerProcess({ dataDir: join(temp.path, 'data') });
    running.model.enqueue({ kind: 'cut', text: 'Half a reply', after: new Promise(() => undefined) });
    const sessionId = (await running.api('POST', '/api/sessions')).body.data.session_id as string;
    const answer = fetch(`${running.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Tell me a story', session_id: sessionId, stream: false }),
    });
    expect(await waitUntil(() => running.model.chatRequests().length === 1)).toBe(true);
    const exited = running.server.stop('SIGTERM', 20_000);
    const response = await answer;
    const body = (await response.json()) as any;
    expect([response.status, body.error.code]).toEqual([503, 'not_ready']);
    expect(body.error.details.run_id).toBeString();
    expect(await exited).toBe(0);
  }, 60_000);

  it('a second signal while stopping skips the waits left; storage still closes cleanly (exit 0)', async () => {
    using temp = makeTempDir('moc-stop-');
    const dataDir = join(temp.path, 'data');
    let turn: Awaited<ReturnType<typeof hangingTurn>>;
    {
      await using running = await startServerProcess({ dataDir, env: { APP_LOG_LEVEL: 'info' } });
      turn = await hangingTurn(running);
      running.server.child.kill('SIGTERM');
      expect(await waitUntil(() => logLines(running, 'stopping').length === 1)).toBe(true);
      const exited = running.server.stop('SIGINT', 20_000);
      const chatRest = await readStreamRest(turn.chat);
      expect(await exited).toBe(0);
      expect(lastOf(chatRest)).toEqual({ event: 'error', data: stoppingEvent(turn.runId) });
      expect(logLines(running, 'stopping at once')).toEqual([expect.objectContaining({ signal: 'SIGINT' })]);
      // The drain ended because of the second signal, not at its deadline.
      expect(logLines(running, 'drain ended')).toEqual([
        expect.objectContaining({ all_ended: false, hurried: true, streams_ended: 2 }),
      ]);
      expect(logLines(running, 'stopped')).toHaveLength(1);
    }
    await using again = await startServerProcess({ dataDir });
    expect((await again.api('GET', `/api/runs/${turn.runId}`)).body.data.status).toBe('interrupted');
  }, 60_000);

  it('SIGHUP is a clean stop like SIGTERM, logged, with the last event on the stream', async () => {
    await using running = await startServerProcess({ env: { APP_LOG_LEVEL: 'info' } });
    const turn = await hangingTurn(running);
    const exited = running.server.stop('SIGHUP', 20_000);
    const chatRest = await readStreamRest(turn.chat);
    expect(await exited).toBe(0);
    expect(lastOf(chatRest)).toEqual({ event: 'error', data: stoppingEvent(turn.runId) });
    expect(logLines(running, 'stopping')).toEqual([expect.objectContaining({ signal: 'SIGHUP' })]);
    expect(logLines(running, 'stopped')).toHaveLength(1);
  }, 60_000);

  it('started under nohup, SIGHUP stays ignored: the terminal closing does not stop the server', async () => {
    await using running = await startServerProcess({ env: { APP_LOG_LEVEL: 'info' }, launcher: ['nohup'] });
    // An answer means start-up has run on past installing its signal handlers: SIGHUP must still be ignored.
    expect((await running.api('GET', '/api/sessions')).status).toBe(200);
    const status = readFileSync(`/proc/${running.server.child.pid}/status`, 'utf8');
    expect(isIgnoredSignal('SIGHUP', status)).toBe(true);
    // Both pending at once: a handled SIGHUP (signal 1) would be taken first and name itself in the log.
    process.kill(running.server.child.pid, 'SIGHUP');
    expect(await running.server.stop('SIGTERM', 20_000)).toBe(0);
    expect(logLines(running, 'stopping')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
    // Nor was it taken as a second signal.
    expect(logLines(running, 'stopping at once')).toEqual([]);
  }, 60_000);
});
