// A call to a tool held for approval that can only fail (arguments not JSON, not an object, off the tool's schema,
// or oversized) is refused unrun and audited, asking no one; a valid call of the same step still waits for a person,
// and the paused run keeps the oversized call's marker, never its arguments.
import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approvalFixture } from '../../support/approval-fixture';
import type { ChatFixture } from '../../support/chat-fixture';
import { waitFor } from '../../support/scheduler-fixture';
import { readStreamRest as rest, readStreamUntil as until, type SseRecord, streamSse } from '../../support/sse-client';

/** Scripts one model step calling read_file with each `[call id, arguments]`, then a text reply. */
function scriptReads(fixture: ChatFixture, calls: [string, unknown][], reply: string): void {
  fixture.model.enqueue(
    { kind: 'tool_calls', calls: calls.map(([id, args]) => ({ name: 'read_file', args, id })) },
    { kind: 'text', text: reply },
  );
}

/** The files under `dir` whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => readFileSync(path).includes(needle));
}

describe('tool approvals and malformed calls', () => {
  it('asks a person only about the valid call of a step whose other calls have malformed arguments', async () => {
    await using fixture = await approvalFixture();
    const sessionId = await fixture.newSession();
    scriptReads(
      fixture,
      [
        // Not JSON, and JSON that is not an object: LangChain hands both over as invalid_tool_calls.
        ['call_text', '{path: workspace/a.md'],
        ['call_array', '["workspace/a.md"]'],
        // JSON objects the tool's schema refuses: a wrong type, a key it does not take.
        ['call_type', { path: 42 }],
        ['call_key', { file: 'workspace/a.md' }],
        ['call_valid', { path: 'workspace/a.md' }],
      ],
      'Read one of them.',
    );
    const events: SseRecord[] = [];
    const asked: unknown[] = [];
    for await (const record of streamSse(await fixture.chat({ message: 'Read it', session_id: sessionId }))) {
      events.push(record);
      if (record.event !== 'approval_required') continue;
      asked.push(record.data.args);
      // Whatever is put to a person is approved, so the turn ends however many calls wait.
      await fixture.server.json('POST', `/api/approvals/${record.data.approval_id}`, { decision: 'approve' });
    }
    expect(asked).toEqual([{ path: 'workspace/a.md' }]);
    expect(events.at(-2)!.event).toBe('done');
    // The model hears each call's result under its own id: the malformed ones refused, the valid one run.
    const results = (fixture.model.chatRequests()[1]!.body.messages as any[])
      .filter((message) => message.role === 'tool')
      .map((message) => [message.tool_call_id, JSON.parse(message.content).error?.code ?? 'ok']);
    expect(results.sort()).toEqual([
      ['call_array', 'E_INVALID_ARGS'],
      ['call_key', 'E_INVALID_ARGS'],
      ['call_text', 'E_INVALID_ARGS'],
      ['call_type', 'E_INVALID_ARGS'],
      ['call_valid', 'ok'],
    ]);
    const runId = events[0]!.data.run_id;
    const audit = await fixture.server.deps.agents.get('default').storage.toolAudit.list({ runId });
    expect(audit.map((row) => [row.outcome, row.errorCode]).sort()).toEqual([
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['error', 'E_INVALID_ARGS'],
      ['ok', null],
      ['ok', 'approval_approved'],
    ]);
    const approvals = (await fixture.server.json('GET', '/api/approvals')).body.data.approvals;
    expect(approvals.map((row: any) => row.args)).toEqual([{ path: 'workspace/a.md' }]);
  });

  it('keeps the marker of an oversized call in a paused step, not its 5 MB, in the checkpoint, the reply and the history', async () => {
    await using fixture = await approvalFixture();
    const agent = fixture.server.deps.agents.get('default');
    const sessionId = await fixture.newSession();
    const huge = 'q'.repeat(5 * 1024 * 1024);
    scriptReads(
      fixture,
      [
        ['call_big', { path: huge }],
        ['call_read', { path: 'workspace/a.md' }],
      ],
      'Read one.',
    );
    const stream = streamSse(await fixture.chat({ message: 'Read them', session_id: sessionId }));
    const head = await until(stream, 'approval_required');
    const runId = head[0]!.data.run_id;
    // The refused sibling's result is in the checkpoint: the run is paused with every step of it written.
    const paused = await waitFor(async () => {
      const state = (await agent.storage.checkpoints.get(runId))?.state as any;
      return state?.steps.some((step: any) => step.toolCallId === 'call_big') ? state : undefined;
    });
    const [step] = paused.steps;
    expect(step.toolCalls.map((call: any) => [call.id, Object.keys(call.args)])).toEqual([
      ['call_big', ['__oversized_arguments__']],
      ['call_read', ['path']],
    ]);
    expect(JSON.stringify(paused).length).toBeLessThan(20_000);
    const live = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data;
    expect(JSON.stringify(live).length).toBeLessThan(20_000);
    // Whatever the server keeps of the run (database, its WAL, the audit file) holds no run of the arguments.
    const needle = 'q'.repeat(4096);
    expect(filesHolding(fixture.server.dataDir, needle)).toEqual([]);

    await fixture.server.json('POST', `/api/approvals/${head.at(-1)!.data.approval_id}`, { decision: 'approve' });
    expect((await rest(stream)).some((record) => record.event === 'done')).toBe(true);
    expect(await agent.storage.checkpoints.get(runId)).toBeNull();
    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
    const stored = history.flatMap((message: any) => message.tool_calls ?? []).map((call: any) => call.input);
    expect(stored.map((input: any) => Object.keys(input))).toEqual([['__oversized_arguments__'], ['path']]);
    expect(JSON.stringify(fixture.model.chatRequests()[1]!.body).length).toBeLessThan(20_000);
    expect(filesHolding(fixture.server.dataDir, needle)).toEqual([]);
  });
});
