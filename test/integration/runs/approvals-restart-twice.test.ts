// A paused run restored, and the server stopped again before the decision: the second restore numbers its events on
// from those the first restore's stream sent, so a client rejoining from the last it heard is not refused.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { approvalFixture, pausedTurn } from '../../support/approval-fixture';
import { readStreamUntil as until, streamSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

const seqOf = (id: string | undefined) => Number(id!.split(':')[1]);
const checkpointNextSeq = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'workspaces', 'default', 'storage', 'agent.db'), { readonly: true });
  try {
    return (JSON.parse((db.query('SELECT state FROM run_checkpoints').get() as { state: string }).state) as any)
      .nextSeq;
  } finally {
    db.close();
  }
};

describe('a paused run across two restarts', () => {
  it("numbers its events past those the first restore's stream sent", async () => {
    using data = makeTempDir('moc-paused-twice-');
    let runId: string;
    {
      await using fixture = await approvalFixture({}, data.path);
      const paused = await pausedTurn(fixture);
      runId = paused.head[0]!.data.run_id;
      await paused.stream.return(undefined);
    }
    // First restart: the restored run says approval_required again; a client hears it.
    let heard: number;
    {
      await using restarted = await approvalFixture({}, data.path);
      const stream = streamSse(await restarted.server.request(`/api/runs/${runId}/events`));
      const events = await until(stream, 'approval_required');
      heard = seqOf(events.at(-1)!.id);
      await stream.return(undefined);
    }
    // The checkpoint now counts that event: a restore from it cannot number an event as one already sent.
    expect(checkpointNextSeq(data.path)).toBeGreaterThan(heard);
    // Second restart: a rejoin from the last event heard is answered, and the next event is numbered past it.
    await using again = await approvalFixture({}, data.path);
    const response = await again.server.request(`/api/runs/${runId}/events`, {
      headers: { 'last-event-id': `${runId}:${heard}` },
    });
    expect(response.status).toBe(200);
    const stream = streamSse(response);
    const events = await until(stream, 'approval_required');
    expect(events.every((event) => !event.id || seqOf(event.id) > heard)).toBe(true);
    await stream.return(undefined);
  });
});
