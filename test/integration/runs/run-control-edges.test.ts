// Run control at its edges: long approval waits, rejoining a quiet run, event ids that were never sent.
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { readStreamRest as rest, readStreamUntil as until, streamSse } from '../../support/sse-client';

/** A fixture whose agent needs approval for read_file in chat. */
async function approvalFixture(extra: Record<string, unknown> = {}) {
  const fixture = await startChatFixture();
  const put = await fixture.server.json('PUT', '/api/config/runtime', {
    config: { tool_approvals: { chat: ['read'], ...extra } },
  });
  expect(put.status).toBe(200);
  writeFileSync(join(fixture.server.deps.agents.get('default').root, 'workspace', 'a.md'), 'alpha\n');
  return fixture;
}

/** A chat turn paused on its read_file call, its stream read up to approval_required. */
async function pausedTurn(fixture: ChatFixture) {
  const sessionId = await fixture.newSession();
  fixture.model.enqueue(
    { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/a.md' } }] },
    { kind: 'text', text: 'Read.' },
  );
  const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }));
  const head = await until(stream, 'approval_required');
  return { sessionId, stream, head, runId: head[0]!.data.run_id as string, approval: head.at(-1)!.data };
}

describe('run control edges', () => {
  it('keeps an approval pending for the longest timeout_seconds (30 days, past what setTimeout takes)', async () => {
    await using fixture = await approvalFixture({ timeout_seconds: 30 * 86_400 });
    const paused = await pausedTurn(fixture);
    const expiresIn = paused.approval.expires_at - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(29 * 86_400);
    const decided = await fixture.server.json('POST', `/api/approvals/${paused.approval.approval_id}`, {
      decision: 'approve',
    });
    expect({ status: decided.status, approval: decided.body.data?.status }).toEqual({
      status: 200,
      approval: 'approved',
    });
    const tail = await rest(paused.stream);
    expect(JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output).data.content).toBe('alpha\n');
  });
});
