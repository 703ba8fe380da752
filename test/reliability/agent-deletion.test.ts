// Issue 13 point 1: an agent deleted (and re-created) while 20 clients use it answers every request in the envelope, never 5xx.
import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createLogger } from '../../src/shared/logger';
import { success, type ToolDefinition } from '../../src/tools';
import { startChatFixture, type ChatFixture } from '../support/chat-fixture';
import { openFilesUnder, waitUntil } from '../support/process-probe';
import { parseSse, type SseRecord } from '../support/sse-client';

const AGENT = 'victim';
const CYCLES = 5;
const CLIENTS = 20;

interface Answer {
  what: string;
  status: number;
  /** Parsed JSON body, or the SSE records of a stream. */
  body: unknown;
  events?: SseRecord[];
}

const isEnvelope = (body: unknown): boolean => {
  if (!body || typeof body !== 'object') return false;
  const keys = Object.keys(body);
  if (keys.length !== 1) return false;
  if (keys[0] === 'data') return true;
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  return keys[0] === 'error' && typeof error?.code === 'string' && typeof error.message === 'string';
};

describe('deleting an agent that is in use', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  beforeEach(() => process.on('unhandledRejection', onRejection));
  afterEach(() => process.off('unhandledRejection', onRejection));

  it('answers every request of 20 clients in the envelope while the agent is deleted and re-created; streams end with done or error', async () => {
    const logged: string[] = [];
    await using fixture: ChatFixture = await startChatFixture({
      overrides: { logger: createLogger('error', (line) => logged.push(line)) },
    });
    const { server, model } = fixture;
    model.setFallback((body) => {
      if (!body.stream) return { kind: 'text', text: 'A title' };
      // One chat per cycle hangs until its agent is deleted; the others stream slowly.
      if (JSON.stringify(body.messages).includes('hang until deleted')) return { kind: 'hang' };
      return { kind: 'text', text: 'slow words '.repeat(30), chunkSize: 6, delayMs: 2 };
    });
    const seed = async () => {
      expect((await server.json('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
      expect(
        (
          await server.json('POST', `/api/files?agent_id=${AGENT}`, {
            path: 'memory/notes.md',
            content: '# Notes\nThe victim remembers apples.\n',
          })
        ).status,
      ).toBe(200);
    };
    await seed();

    const answers: Answer[] = [];
    let sessionId = '';
    const call = async (what: string, method: string, path: string, body?: unknown) => {
      const response = await server.request(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const streamed = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      let parsed: unknown = text;
      try {
        parsed = streamed ? undefined : JSON.parse(text);
      } catch {
        // Not JSON: the envelope check reports it.
      }
      const answer: Answer = {
        what,
        status: response.status,
        body: parsed,
        events: streamed ? parseSse(text) : undefined,
      };
      answers.push(answer);
      return answer;
    };
    const newSession = async () => {
      const created = await call('create session', 'POST', `/api/sessions?agent_id=${AGENT}`, {});
      const id = (created.body as { data?: { session_id?: string } })?.data?.session_id;
      if (id) sessionId = id;
      return id;
    };

    let running = true;
    const client = async (index: number) => {
      for (let n = 0; running; n++) {
        const action = (index + n) % 6;
        if (action === 0 || action === 1) {
          const id = await newSession();
          if (id)
            await call('chat', 'POST', '/api/chat', {
              agent_id: AGENT,
              session_id: id,
              message: `hello ${index}/${n}`,
              stream: action === 0,
            });
        } else if (action === 2)
          await call('search', 'GET', `/api/retrieval/search?agent_id=${AGENT}&domain=memory&q=apples`);
        else if (action === 3) await call('file', 'GET', `/api/files?agent_id=${AGENT}&path=memory/notes.md`);
        else if (action === 4)
          await call('messages', 'GET', `/api/sessions/${sessionId || 'none'}/messages?agent_id=${AGENT}`);
        else await call('sessions', 'GET', `/api/sessions?agent_id=${AGENT}`);
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));

    const hanging: Answer[] = [];
    const streamsDone = () => answers.filter((answer) => answer.events?.some((event) => event.event === 'done')).length;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Between deletions the agent works normally: some streamed chat gets its whole answer first.
      const done = streamsDone();
      expect(await waitUntil(() => streamsDone() > done, 20_000)).toBe(true);
      const id = await newSession();
      expect(id).toBeString();
      const message = `hang until deleted ${cycle}`;
      const stream = call('hanging chat', 'POST', '/api/chat', { agent_id: AGENT, session_id: id, message });
      expect(
        await waitUntil(() =>
          model.chatRequests().some((request) => JSON.stringify(request.body.messages).includes(message)),
        ),
      ).toBe(true);
      expect((await server.json('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
      hanging.push(await stream);
      await seed();
    }
    running = false;
    await Promise.all(clients);

    const serverErrors = answers
      .filter((answer) => answer.status >= 500)
      .map(({ what, status, body }) => ({ what, status, body }));
    expect(serverErrors).toEqual([]);
    const notEnvelopes = answers
      .filter((answer) => !answer.events && !isEnvelope(answer.body))
      .map(({ what, status, body }) => ({ what, status, body }));
    expect(notEnvelopes).toEqual([]);
    const unfinished = answers.filter(
      (answer) => answer.events && !answer.events.some((event) => event.event === 'done' || event.event === 'error'),
    );
    expect(unfinished.map((answer) => answer.events!.map((event) => event.event))).toEqual([]);
    // A stream cut by the deletion says so; no other failure reaches a client.
    const streamErrors = answers.flatMap((answer) => answer.events ?? []).filter((event) => event.event === 'error');
    expect(
      [...new Set(streamErrors.map((event) => event.data.code))].filter((code) => code !== 'agent_deleted'),
    ).toEqual([]);
    for (const answer of hanging)
      expect(answer.events!.filter((event) => event.event === 'error').map((event) => event.data.code)).toEqual([
        'agent_deleted',
      ]);
    // Requests after a deletion answer 404; those in flight when it happened end with agent_deleted.
    const failures = new Set(
      answers
        .filter((answer) => answer.status >= 400)
        .map((answer) => `${answer.status} ${(answer.body as any)?.error?.code}`),
    );
    expect([...failures].filter((failure) => !['404 not_found', '404 agent_deleted'].includes(failure))).toEqual([]);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(CYCLES);

    // The deleted incarnations let go of every file once their last user finished, and their folders are gone.
    const workspaces = join(server.dataDir, 'workspaces');
    expect(await waitUntil(() => readdirSync(workspaces).every((name) => !name.startsWith('.deleting-')))).toBe(true);
    expect(openFilesUnder(workspaces).filter((path) => path.includes('/.deleting-'))).toEqual([]);
    expect(rejections).toEqual([]);
    expect(logged.filter((line) => /closed database|unhandled/i.test(line))).toEqual([]);
  }, 60_000);

  it('ends a turn whose tool is still running when the agent is deleted; the finished tool brings back no folder for the id', async () => {
    let started = false;
    let finish = () => {
      // Replaced by the gate tool's resolver once it runs.
    };
    const gate: ToolDefinition<Record<string, never>> = {
      name: 'gate',
      description: 'Waits until the test opens it.',
      level: 0,
      schema: z.object({}),
      run: async () => {
        started = true;
        await new Promise<void>((resolve) => (finish = resolve));
        return success({ opened: true });
      },
    };
    const logged: string[] = [];
    await using fixture = await startChatFixture({
      overrides: { toolDefinitions: [gate], logger: createLogger('error', (line) => logged.push(line)) },
    });
    const { server, model } = fixture;
    expect((await server.json('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    const sessionId = await fixture.newSession(AGENT);
    model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'gate', args: {} }] },
      { kind: 'text', text: 'Never reached.' },
    );
    const stream = fixture.chat({ agent_id: AGENT, session_id: sessionId, message: 'open the gate' });
    expect(await waitUntil(() => started)).toBe(true);
    expect((await server.json('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    const events = parseSse(await (await stream).text());
    expect(events.filter((event) => event.event === 'error').map((event) => event.data.code)).toEqual([
      'agent_deleted',
    ]);

    // The running tool keeps the deleted agent's storage open; once it finishes, its audit row goes with
    // the old folder, which is removed, and nothing re-creates a folder under the agent's id.
    const workspaces = join(server.dataDir, 'workspaces');
    const trash = () => readdirSync(workspaces).filter((name) => name.startsWith('.deleting-'));
    expect(trash()).toHaveLength(1);
    finish();
    expect(await waitUntil(() => trash().length === 0)).toBe(true);
    expect(existsSync(join(workspaces, AGENT))).toBe(false);
    expect(logged).toEqual([]);
    expect((await server.json('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
  });
});
