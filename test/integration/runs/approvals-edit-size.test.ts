// An approval's edit whose arguments the runner would refuse as too large is refused 422 when it is made, the
// approval left pending, instead of answered `edited` and then failing E_INVALID_ARGS unrun.
import { describe, expect, it } from 'bun:test';
import { MAX_TOOL_ARGUMENTS_CHARS } from '../../../src/tools';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { readStreamRest as rest } from '../../support/sse-client';

describe('an approval edit past the tool arguments limit', () => {
  it('is refused 422 and leaves the approval pending, so a smaller edit still runs', async () => {
    await using fixture = await approvalFixture();
    const paused = await pausedTurn(fixture);
    const id = paused.approval.approval_id;
    // Both take read_file's schema (a path, any length); the second is under the limit in characters and over it
    // in JSON, each quote escaped, as the runner measures it.
    const oversized = [
      { path: `workspace/${'a'.repeat(MAX_TOOL_ARGUMENTS_CHARS)}` },
      { path: '"'.repeat(MAX_TOOL_ARGUMENTS_CHARS / 2 + 1) },
    ];
    for (const [at, args] of oversized.entries()) {
      const bad = await fixture.server.json('POST', `/api/approvals/${id}`, { decision: 'edit', args });
      expect({ at, status: bad.status, code: bad.body.error?.code, items: bad.body.error?.details?.items }).toEqual({
        at,
        status: 422,
        code: 'validation_error',
        items: [expect.objectContaining({ field: 'args', code: 'too_long' })],
      });
    }
    const pending = (await fixture.server.json('GET', '/api/approvals?status=pending')).body.data.approvals;
    expect(pending.map((row: { approval_id: string }) => row.approval_id)).toEqual([id]);
    const edited = await fixture.server.json('POST', `/api/approvals/${id}`, {
      decision: 'edit',
      args: { path: 'workspace/b.md' },
    });
    expect(edited.status).toBe(200);
    const tail = await rest(paused.stream);
    expect(JSON.parse(tail.find((record) => record.event === 'tool_end')!.data.output).data.content).toBe('beta\n');
  });
});
