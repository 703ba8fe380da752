// Runs as resources: every turn recorded with its status, looked up, listed newest first in pages; start-up interrupts leftovers.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../../support/chat-fixture';
import { startTestServer } from '../../support/start-test-server';
import { readSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

const runIdOf = (events: { event: string; data: any }[]) =>
  events.find((event) => event.event === 'run_start')!.data.run_id;

describe('GET /api/runs', () => {
  it('records a chat turn with its status, trigger, session, timings, model and usage', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'Hello there.', usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const events = await readSse(await fixture.chat({ message: 'Hi', session_id: sessionId }));
    const runId = runIdOf(events);
    const { status, body } = await fixture.server.json('GET', `/api/runs/${runId}?agent_id=default`);
    expect(status).toBe(200);
    expect(body.data).toEqual({
      run_id: runId,
      agent_id: 'default',
      session_id: sessionId,
      trigger: 'chat',
      status: 'completed',
      started_at_ms: expect.any(Number),
      finished_at_ms: expect.any(Number),
      duration_ms: expect.any(Number),
      model: 'fake-model',
      attempts: 1,
      usage: expect.objectContaining({ run_id: runId, input_tokens: 12, output_tokens: 3, total_tokens: 15 }),
      error: null,
      approval_ids: [],
    });
    expect(body.data.finished_at_ms).toBeGreaterThanOrEqual(body.data.started_at_ms);
  });

  it('records failed, cron and non-streamed turns, and lists them newest first in cursor pages', async () => {
    await using fixture = await startChatFixture();
    const sessionId = await fixture.newSession();
    const other = await fixture.newSession();
    fixture.model.enqueue({ kind: 'error', status: 400, body: { error: { message: 'bad request' } } });
    const failed = runIdOf(await readSse(await fixture.chat({ message: 'one', session_id: sessionId })));
    fixture.model.enqueue({ kind: 'text', text: 'two' });
    const plain = await fixture.server.json('POST', '/api/chat', { message: 'two', session_id: other, stream: false });
    expect(plain.status).toBe(200);
    fixture.model.enqueue({ kind: 'text', text: 'three' });
    const { result } = await fixture.server.deps.chat.runOnce('default', sessionId, 'three', {
      trigger: 'cron',
      skipTitle: true,
    });
    const all = await fixture.server.json('GET', '/api/runs?agent_id=default');
    expect(all.body.data.count).toBe(3);
    expect(all.body.data.runs.map((run: any) => [run.trigger, run.status, run.session_id])).toEqual([
      ['cron', 'completed', sessionId],
      ['chat', 'completed', other],
      ['chat', 'failed', sessionId],
    ]);
    expect(all.body.data.runs[0].run_id).toBe(result.runId);
    expect(all.body.data.runs[2]).toMatchObject({ run_id: failed, error: { code: 'llm_error' } });
    expect(all.body.data.next_cursor).toBeNull();

    const seen: string[] = [];
    let page = await fixture.server.json('GET', '/api/runs?agent_id=default&limit=2');
    seen.push(...page.body.data.runs.map((run: any) => run.run_id));
    expect(page.body.data.next_cursor).toEqual(expect.any(String));
    page = await fixture.server.json('GET', `/api/runs?agent_id=default&limit=2&cursor=${page.body.data.next_cursor}`);
    seen.push(...page.body.data.runs.map((run: any) => run.run_id));
    expect(page.body.data.next_cursor).toBeNull();
    expect(seen).toEqual(all.body.data.runs.map((run: any) => run.run_id));

    const bySession = await fixture.server.json(
      'GET',
      `/api/runs?session_id=${encodeURIComponent(sessionId)}&status=failed`,
    );
    expect(bySession.body.data.runs.map((run: any) => run.run_id)).toEqual([failed]);
  });

  it('answers 4xx for a bad cursor, limit or status, an unknown run and an unknown agent', async () => {
    await using server = await startTestServer();
    for (const query of ['cursor=abc', 'cursor=-1', 'cursor=1e5', 'limit=0', 'limit=201', 'limit=x', 'status=paused']) {
      const response = await server.json('GET', `/api/runs?${query}`);
      expect({ query, status: response.status, code: response.body.error?.code }).toEqual({
        query,
        status: 422,
        code: 'validation_error',
      });
    }
    expect((await server.json('GET', '/api/runs/nope')).body.error.code).toBe('not_found');
    expect((await server.json('GET', '/api/runs/nope?agent_id=ghost')).status).toBe(404);
    expect((await server.json('GET', '/api/runs?agent_id=bad id')).status).toBe(400);
    expect((await server.json('POST', '/api/runs/nope/cancel')).status).toBe(404);
  });

  it('turns runs left running by an earlier process into interrupted ones at start-up', async () => {
    using data = makeTempDir('moc-runs-');
    {
      await using first = await startTestServer({ dataDir: data.path });
      const runs = first.deps.agents.get('default').storage.runs;
      await runs.insert({ runId: 'left-over', sessionId: 's', trigger: 'cron', startedMs: 1_000, model: 'm' });
    }
    await using second = await startTestServer({ dataDir: data.path });
    const { body } = await second.json('GET', '/api/runs/left-over');
    expect(body.data).toMatchObject({ status: 'interrupted', trigger: 'cron', finished_at_ms: expect.any(Number) });
  });
});
