// A paused run whose checkpoint cannot restore it (damaged on disk, or a newer release's after a downgrade): the
// restart ends it `interrupted` instead of leaving it waiting for good, and keeps no agent open for it.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { startChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

const damages: Record<string, string> = {
  'its approvals gone': "json_remove(state, '$.approvals')",
  'a newer version': "json_set(state, '$.version', 2)",
};

describe('a paused run whose checkpoint cannot restore it', () => {
  for (const [damage, sql] of Object.entries(damages)) {
    it(`(${damage}) ends interrupted at the restart, its approval expired, its agent not kept open`, async () => {
      using data = makeTempDir('moc-damaged-checkpoint-');
      let sessionId: string;
      let runId: string;
      {
        await using fixture = await approvalFixture({}, data.path);
        const paused = await pausedTurn(fixture);
        sessionId = paused.sessionId;
        runId = paused.head[0]!.data.run_id;
        await paused.stream.return(undefined);
      }
      const db = new Database(join(data.path, 'workspaces', 'default', 'storage', 'agent.db'));
      db.run(`UPDATE run_checkpoints SET state = ${sql}`);
      expect(db.query('SELECT changes() AS n').get()).toEqual({ n: 1 });
      db.close();

      await using restarted = await startChatFixture({ dataDir: data.path, env: { APP_MAX_OPEN_AGENTS: '1' } });
      const run = (await restarted.server.json('GET', `/api/runs/${runId}`)).body.data;
      expect(run.status).toBe('interrupted');
      const approvals = (await restarted.server.json('GET', '/api/approvals')).body.data.approvals;
      expect(approvals.map((approval: any) => approval.status)).toEqual(['expired']);
      const history = (await restarted.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
      expect(history.at(-1)).toMatchObject({ role: 'assistant', status: 'interrupted' });
      // The session is free for a new turn.
      const next = await restarted.chat({ message: 'again', session_id: sessionId, stream: false });
      expect(next.status).toBe(200);
      // Two other agents used after it: past the cap of one, no agent stays open for the run.
      for (const agentId of ['other-1', 'other-2']) {
        expect((await restarted.server.json('POST', '/api/agents', { agent_id: agentId })).status).toBe(200);
        await restarted.newSession(agentId);
      }
      const agents = restarted.server.deps.agents;
      await waitFor(() => (agents.openCount() === 1 ? true : undefined));
      expect(agents.openCount()).toBe(1);
    });
  }
});
