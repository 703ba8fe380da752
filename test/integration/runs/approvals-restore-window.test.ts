// A decision sent while a restored paused run has not reached its wait yet is kept for it, not expired.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox } from '../../../src/security/sandbox';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { startChatFixture } from '../../support/chat-fixture';
import { fakeBwrap } from '../../support/fake-bwrap';
import { waitFor } from '../../support/scheduler-fixture';
import { makeTempDir } from '../../support/temp-dir';

describe('a restored paused run before it waits again', () => {
  it('takes a decision sent at once after the restart, while its turn waits for the sandbox probe', async () => {
    using data = makeTempDir('moc-restore-window-');
    using temp = makeTempDir('moc-restore-bwrap-');
    let approvalId: string;
    let runId: string;
    {
      await using fixture = await approvalFixture({}, data.path);
      const paused = await pausedTurn(fixture);
      await paused.stream.return(undefined);
      approvalId = paused.approval.approval_id;
      runId = paused.head[0]!.data.run_id;
    }
    // The restored run's turn waits for the start-up probe, which answers once this test lets it: the run has not
    // reached its wait when the decision comes.
    const go = join(temp.path, 'go');
    const bwrap = fakeBwrap(temp.path, { answerWhen: go });
    await using restarted = await startChatFixture({
      dataDir: data.path,
      awaitSandboxProbe: false,
      overrides: { sandbox: createSandbox(bwrap.options()) },
    });
    restarted.model.enqueue({ kind: 'text', text: 'Read after restart.' });
    const decided = await restarted.server.json('POST', `/api/approvals/${approvalId}`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    expect(decided.body.data.status).toBe('approved');
    writeFileSync(go, '');
    const run = await waitFor(async () => {
      const row = (await restarted.server.json('GET', `/api/runs/${runId}`)).body.data;
      return row.status === 'completed' ? row : undefined;
    });
    expect(run.status).toBe('completed');
    const sent = restarted.model.chatRequests().at(-1)!.body.messages;
    const result = JSON.parse(sent.findLast((message: any) => message.role === 'tool').content);
    expect(result.data.content).toBe('alpha\n');
  });
});
