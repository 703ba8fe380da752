import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScriptStep } from '../../support/fake-openai-server';
import { createJob } from '../../support/scheduler-fixture';
import { startRoutedChatFixture, type RoutedChatFixture } from '../../support/routed-chat-fixture';
import { readSse, readSseCutAfter } from '../../support/sse-client';

const usageModels = async (fixture: RoutedChatFixture) =>
  ((await fixture.server.json('GET', '/api/usage/records')).body.data.records as any[])
    .filter((record) => record.trigger_type === 'chat')
    .map((record) => record.model);

/** One streamed turn; its events by name. */
async function turn(fixture: RoutedChatFixture, message = 'hello') {
  const sessionId = await fixture.newSession();
  const events = await readSse(await fixture.chat({ message, session_id: sessionId }));
  const of = (name: string) => events.filter((event) => event.event === name).map((event) => event.data);
  return { events, of, sessionId };
}

describe('POST /api/chat over a model route', () => {
  const failures: [string, ScriptStep, string, Record<string, unknown>?][] = [
    ['answers 500', { kind: 'error', status: 500 }, 'server_error'],
    ['answers 429', { kind: 'error', status: 429 }, 'rate_limit'],
    ['hangs past its timeout', { kind: 'hang' }, 'timeout'],
    ['drops the connection before any token', { kind: 'cut', text: '' }, 'network_error'],
    [
      'refuses the key (auth_error allowed by the route)',
      { kind: 'error', status: 401 },
      'auth_error',
      { llm_route: { default: 'primary', fallbacks: ['backup'], fallback_on: { auth_error: true } } },
    ],
  ];
  for (const [what, step, reason, config] of failures) {
    it(`completes on the fallback when the primary ${what}`, async () => {
      await using fixture = await startRoutedChatFixture({ config });
      fixture.primary.enqueue(step);
      fixture.backup.enqueue({ kind: 'text', text: 'Backup answer.' });
      const { of, events } = await turn(fixture);
      expect(of('model_fallback')).toEqual([{ from: 'primary', to: 'backup', reason }]);
      expect(of('error')).toEqual([]);
      expect(of('done')[0].content).toBe('Backup answer.');
      expect(of('done')[0].usage.model).toBe('backup-model');
      expect(of('usage').at(-1).model).toBe('backup-model');
      const names = events.map((event) => event.event);
      expect(names.indexOf('model_fallback')).toBeLessThan(names.lastIndexOf('run_start'));
      expect(of('run_start').map((data) => data.attempt)).toEqual([1, 2]);
      expect(fixture.primary.chatRequests()[0]!.body.model).toBe('primary-model');
      expect(fixture.primary.chatRequests()[0]!.headers.authorization).toBe('Bearer primary-secret');
      expect(fixture.primary.chatRequests()[0]!.headers['x-route']).toBe('primary blue');
      expect(fixture.backup.chatRequests()[0]!.headers.authorization).toBe('Bearer backup-secret');
      // A stream that broke had its prompt estimated: that usage is the primary's, priced by its model.
      expect((await usageModels(fixture)).sort()).toEqual(
        reason === 'network_error' ? ['backup-model', 'primary-model'] : ['backup-model'],
      );
    });
  }

  it('fails without falling back when the primary refuses the key (auth_error off by default)', async () => {
    await using fixture = await startRoutedChatFixture();
    fixture.primary.enqueue({ kind: 'error', status: 401 });
    const { of } = await turn(fixture);
    expect(of('model_fallback')).toEqual([]);
    expect(of('error')).toHaveLength(1);
    expect(of('error')[0].code).toBe('llm_error');
    expect(fixture.backup.chatRequests()).toHaveLength(0);
  });

  it('ends in an error, not a fallback, when the connection drops after tokens', async () => {
    await using fixture = await startRoutedChatFixture();
    const cut = Promise.withResolvers<void>();
    fixture.primary.enqueue({ kind: 'cut', text: 'Half an answ', after: cut.promise });
    const response = await fixture.chat({ message: 'hello', session_id: await fixture.newSession() });
    const events = await readSseCutAfter(response, 'Half an answ', cut.resolve);
    const of = (name: string) => events.filter((event) => event.event === name).map((event) => event.data);
    expect(
      of('token')
        .map((data) => data.content)
        .join(''),
    ).toBe('Half an answ');
    expect(of('model_fallback')).toEqual([]);
    expect(of('error').map((data) => data.code)).toEqual(['model_stream_incomplete']);
    expect(fixture.backup.chatRequests()).toHaveLength(0);
  });

  it('retries the primary agent_runtime.max_retries times before falling back', async () => {
    await using fixture = await startRoutedChatFixture({ config: { agent_runtime: { max_retries: 1 } } });
    fixture.primary.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    fixture.backup.enqueue({ kind: 'text', text: 'Second provider.' });
    const { of } = await turn(fixture);
    expect(fixture.primary.chatRequests().filter((request) => request.body.stream === true)).toHaveLength(2);
    expect(of('run_start').map((data) => data.attempt)).toEqual([1, 2, 3]);
    expect(of('model_fallback')).toEqual([{ from: 'primary', to: 'backup', reason: 'server_error' }]);
    expect(of('done')[0].content).toBe('Second provider.');
  });

  it("prices usage by the answering profile's own prices", async () => {
    await using fixture = await startRoutedChatFixture({
      profileExtras: { backup: { pricing: { input: 1_000_000, output: 1_000_000 } } },
    });
    fixture.primary.enqueue({ kind: 'error', status: 500 });
    fixture.backup.enqueue({ kind: 'text', text: 'Priced.', usage: { prompt_tokens: 10, completion_tokens: 5 } });
    const { of } = await turn(fixture);
    const usage = of('done')[0].usage;
    expect(usage.model).toBe('backup-model');
    expect(usage.priced).toBe(true);
    expect(usage.cost_usd).toBe(15);
  });

  it('answers once (stream false) from the fallback, naming its model', async () => {
    await using fixture = await startRoutedChatFixture();
    fixture.primary.enqueue({ kind: 'error', status: 502 });
    const sessionId = await fixture.newSession();
    const response = await fixture.chat({ message: 'hi', session_id: sessionId, stream: false });
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.data.usage.model).toBe('backup-model');
  });

  it('audits a tool call under the model that asked for it, the fallback after a fallback', async () => {
    await using fixture = await startRoutedChatFixture();
    fixture.primary.enqueue({ kind: 'error', status: 500 });
    fixture.backup.enqueue({ kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/SOUL.md' } }] });
    fixture.backup.enqueue({ kind: 'text', text: 'Read it.' });
    const { of } = await turn(fixture, 'read your soul');
    expect(of('done')[0].content).toBe('Read it.');
    const agent = fixture.server.deps.agents.get('default');
    const rows = await agent.storage.toolAudit.list();
    expect(rows.map((row) => [row.toolName, row.outcome, row.model])).toEqual([['read_file', 'ok', 'backup-model']]);
    const lines = readFileSync(join(agent.root, 'storage', 'tool_audit.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((line) => JSON.parse(line).model)).toEqual(['backup-model']);
  });
});

describe('scheduled turns over a model route', () => {
  it('completes a cron run on the fallback and files its usage under the fallback model', async () => {
    await using fixture = await startRoutedChatFixture();
    const job = await createJob(fixture.server, { schedule_type: 'every', schedule: '3600', prompt: 'Digest' });
    fixture.primary.enqueue({ kind: 'error', status: 503 });
    fixture.backup.enqueue({ kind: 'text', text: 'Digest from the backup.' });
    const response = await fixture.server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    expect(response.body.data.run).toEqual(
      expect.objectContaining({ status: 'ok', response_preview: 'Digest from the backup.' }),
    );
    const records = (await fixture.server.json('GET', '/api/usage/records')).body.data.records as any[];
    expect(records.filter((record) => record.trigger_type === 'cron').map((record) => record.model)).toEqual([
      'backup-model',
    ]);
  });
});
