// PostgreSQL text holds no NUL: a message, a title, a model's reply or a decision's reason holding one is stored, not a 500.
import { expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { readStreamRest as rest, readStreamUntil as until, streamSse } from '../../support/sse-client';

const KEPT = '\uFFFD';

describeWithPostgres('NUL characters on PostgreSQL', (database) => {
  it('keeps titles, messages, replies, job fields and approval reasons that hold NUL', async () => {
    const url = await database.cluster.createDatabase();
    await using fixture = await startChatFixture({ env: { APP_DATABASE_URL: url } });
    const { server } = fixture;
    const titled = await server.json('POST', '/api/sessions', { title: 'a\u0000b' });
    expect(titled.status).toBe(200);
    const sessionId = titled.body.data.session_id as string;
    expect((await server.json('PUT', `/api/sessions/${sessionId}`, { title: 'c\u0000d' })).status).toBe(200);
    const listed = (await server.json('GET', '/api/sessions')).body.data as any[];
    expect(JSON.stringify(listed)).toContain(`c${KEPT}d`);

    // A turn answered in one piece makes no title call.
    fixture.model.enqueue({ kind: 'text', text: 'reply\u0000with a NUL' });
    const once = await server.json('POST', '/api/chat', {
      message: 'hi\u0000there',
      session_id: sessionId,
      stream: false,
    });
    expect(once.status).toBe(200);
    const history = (await server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
    expect(history.map((message) => [message.role, message.content])).toEqual([
      ['user', `hi${KEPT}there`],
      ['assistant', `reply${KEPT}with a NUL`],
    ]);

    const job = await server.json('POST', '/api/scheduler/cron/jobs', {
      name: 'n\u0000',
      schedule_type: 'every',
      schedule: '3600',
      prompt: 'p\u0000',
    });
    expect(job.status).toBe(200);
    const jobs = (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs as any[];
    expect(jobs.map((stored) => stored.prompt)).toEqual([`p${KEPT}`]);

    await server.json('PUT', '/api/config/runtime', { config: { tool_approvals: { chat: ['read'] } } });
    writeFileSync(join(server.deps.agents.get('default').root, 'workspace', 'a.md'), 'alpha\n');
    const paused = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
      { kind: 'text', text: 'Not read.' },
    );
    const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: paused }));
    const approval = (await until(stream, 'approval_required')).at(-1)!.data;
    const decided = await server.json('POST', `/api/approvals/${approval.approval_id}`, {
      decision: 'reject',
      reason: 'no\u0000',
    });
    expect([decided.status, decided.body.data?.reason]).toEqual([200, `no${KEPT}`]);
    expect((await rest(stream)).map((record) => record.event)).toContain('done');
  }, 60_000);
});
