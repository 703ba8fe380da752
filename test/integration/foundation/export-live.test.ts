// `mini-openclaw export` as a real process beside a running server: it reads, and leaves the server's live runs alone.
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { runMain } from '../../support/run-main';
import { makeTempDir } from '../../support/temp-dir';

describe('mini-openclaw export', () => {
  it('beside a running server, leaves its turn in progress running and its session live', async () => {
    using folder = makeTempDir('moc-export-live-');
    const dataDir = join(folder.path, 'data');
    await using fixture = await startChatFixture({ dataDir });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'hang' });
    const stream = await fixture.chat({ message: 'hello', session_id: sessionId });
    expect(stream.status).toBe(200);
    await fixture.model.waitForRequests(1);
    const runs = await fixture.server.json('GET', '/api/runs?agent_id=default');
    const runId = runs.body.data.runs[0].run_id;
    expect(runs.body.data.runs[0].status).toBe('running');

    const file = join(folder.path, 'backup.jsonl');
    const exported = await runMain(folder.path, ['export', '--out', file, '--data-dir', dataDir]);
    expect([exported.code, exported.stderr]).toEqual([0, '']);

    const run = await fixture.server.json('GET', `/api/runs/${runId}?agent_id=default`);
    expect(run.body.data.status).toBe('running');
    const history = await fixture.server.json('GET', `/api/sessions/${sessionId}/history?agent_id=default`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body.data)).not.toContain('interrupted');
    await fixture.server.request(`/api/runs/${runId}/cancel?agent_id=default`, { method: 'POST' });
    await stream.body?.cancel();
  }, 30_000);
});
