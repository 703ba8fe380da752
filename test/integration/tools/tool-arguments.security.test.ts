// A tool call with argument keys its schema does not declare is refused with E_INVALID_ARGS (audited) naming
// them, instead of running with those keys dropped; the offered schemas say `additionalProperties: false`.
import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

const PATCH = '--- a/workspace/plan.md\n+++ b/workspace/plan.md\n@@ -1 +1 @@\n-old\n+new\n';

describe('tool arguments outside the declared schema', () => {
  it('refuses apply_patch with dry_run (nothing written), read_file with an alias, and audits both', async () => {
    await using fixture = await startChatFixture();
    const agent = fixture.server.deps.agents.get('default');
    writeFileSync(join(agent.root, 'workspace', 'plan.md'), 'old\n');
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          { name: 'apply_patch', args: { input: PATCH, dry_run: true } },
          { name: 'read_file', args: { path: 'workspace/plan.md', lines: '1-1', maxChars: 3 } },
        ],
      },
      { kind: 'text', text: 'I will fix my arguments.' },
      { kind: 'text', text: 'Arguments' },
    );
    const events = await readSse(await fixture.chat({ message: 'Preview the patch', session_id: sessionId }));
    const runId = events.find((event) => event.event === 'run_start')!.data.run_id;
    const outputs = events
      .filter((event) => event.event === 'tool_end')
      .map((event) => JSON.parse(event.data.output).error);
    expect(outputs).toEqual([
      {
        code: 'E_INVALID_ARGS',
        message: 'Invalid arguments for apply_patch: (root): Unrecognized key: "dry_run"; the tool takes only input',
        retryable: false,
        details: { issues: [{ path: '', message: 'Unrecognized key: "dry_run"; the tool takes only input' }] },
      },
      expect.objectContaining({
        code: 'E_INVALID_ARGS',
        message: expect.stringContaining('Unrecognized keys: "lines", "maxChars"; the tool takes only path, '),
      }),
    ]);
    // The patch was not applied "for real" with dry_run dropped.
    expect(readFileSync(join(agent.root, 'workspace', 'plan.md'), 'utf8')).toBe('old\n');
    const audit = await agent.storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.toolName, row.outcome, row.errorCode]).sort()).toEqual([
      ['apply_patch', 'error', 'E_INVALID_ARGS'],
      ['read_file', 'error', 'E_INVALID_ARGS'],
    ]);
    // The model was told up front: every offered object schema forbids other keys.
    const [first] = fixture.model.chatRequests();
    const loose = (first!.body.tools as any[])
      .filter((tool) => tool.function.parameters.additionalProperties !== false)
      .map((tool) => tool.function.name);
    expect(loose).toEqual([]);
  });

  it('still runs a call whose keys are all declared', async () => {
    await using fixture = await startChatFixture();
    const agent = fixture.server.deps.agents.get('default');
    writeFileSync(join(agent.root, 'workspace', 'plan.md'), 'old\n');
    const sessionId = await fixture.newSession();
    fixture.model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'apply_patch', args: { input: PATCH } }] },
      { kind: 'text', text: 'Done.' },
      { kind: 'text', text: 'Patch' },
    );
    const events = await readSse(await fixture.chat({ message: 'Apply it', session_id: sessionId }));
    const end = events.find((event) => event.event === 'tool_end')!;
    expect(JSON.parse(end.data.output).ok).toBe(true);
    expect(readFileSync(join(agent.root, 'workspace', 'plan.md'), 'utf8')).toBe('new\n');
  });
});
