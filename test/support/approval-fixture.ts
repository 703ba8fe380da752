// A chat fixture whose agent needs approvals, and a turn paused on one (tool approvals tests).
import { expect } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture, type ChatFixture } from './chat-fixture';
import { readStreamUntil as until, streamSse } from './sse-client';

/** A fixture whose agent needs approval for read_file in chat (and terminal-level calls in cron). */
export async function approvalFixture(extra: Record<string, unknown> = {}, dataDir?: string) {
  const fixture = await startChatFixture(dataDir ? { dataDir } : {});
  const put = await fixture.server.json('PUT', '/api/config/runtime', {
    config: { tool_approvals: { chat: ['read'], cron: ['L0'], ...extra } },
  });
  expect(put.status).toBe(200);
  const agent = fixture.server.deps.agents.get('default');
  writeFileSync(join(agent.root, 'workspace', 'a.md'), 'alpha\n');
  writeFileSync(join(agent.root, 'workspace', 'b.md'), 'beta\n');
  return fixture;
}

/** Starts a chat turn whose model reads `path`, and reads its stream up to approval_required. */
export async function pausedTurn(fixture: ChatFixture, path = 'workspace/a.md') {
  const sessionId = await fixture.newSession();
  fixture.model.enqueue(
    { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path } }] },
    { kind: 'text', text: 'Read.' },
  );
  const stream = streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }));
  const head = await until(stream, 'approval_required');
  return { sessionId, stream, head, approval: head.at(-1)!.data };
}
