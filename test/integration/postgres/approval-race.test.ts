// An approval decided on another replica the moment it is listed, before its run is marked waiting: not lost as expired.
import { expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { describeWithPostgres } from '../../support/postgres-database';
import { readStreamRest, streamSse } from '../../support/sse-client';

const ROUNDS = 12;

describeWithPostgres('an approval decided on another replica as soon as it is stored', (database) => {
  it('is taken by the replica whose run waits for it, every time', async () => {
    const url = await database.cluster.createDatabase();
    await using a = await startChatFixture({ env: { APP_DATABASE_URL: url } });
    await using b = await startChatFixture({ env: { APP_DATABASE_URL: url } });
    const config = { tool_approvals: { chat: ['read_file'] } };
    expect((await a.server.json('PUT', '/api/config/runtime', { config })).status).toBe(200);
    writeFileSync(join(a.server.deps.agents.get('default').root, 'workspace', 'a.md'), 'alpha\n');
    const outcomes: unknown[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const session = (await a.server.json('POST', '/api/sessions')).body.data.session_id as string;
      a.model.enqueue(
        { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
        { kind: 'text', text: 'Read.' },
      );
      const stream = streamSse(await a.chat({ message: 'Read it', session_id: session }));
      // Replica B sees the approval as soon as A stores it (before A's run is marked waiting, in some rounds).
      let pending: { approval_id: string } | undefined;
      while (!pending) pending = (await b.server.json('GET', '/api/approvals?status=pending')).body.data.approvals[0];
      const decided = await b.server.json('POST', `/api/approvals/${pending.approval_id}`, { decision: 'approve' });
      const toolEnd = (await readStreamRest(stream)).find((record) => record.event === 'tool_end');
      outcomes.push([decided.status, decided.body.data?.status, String(toolEnd?.data.output).includes('alpha')]);
    }
    expect(outcomes).toEqual(Array(ROUNDS).fill([200, 'approved', true]));
  }, 120_000);
});
