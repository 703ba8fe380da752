// One agent's broken storage (`storage` a file, a damaged agent.db) stays that agent's problem: the list still shows
// every agent, and the agent's own routes answer 503 storage_unavailable naming the fault, never 500.
import { describe, expect, it } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/start-test-server';
import { makeTempDir } from '../support/temp-dir';
import { readOperations } from './openapi-operations';

/** A data folder with agents `filed` (its storage/ a file) and `garbage` (its agent.db not a database) beside `default`. */
async function brokenAgents(dataDir: string): Promise<void> {
  const first = await startTestServer({ dataDir });
  for (const agentId of ['filed', 'garbage'])
    expect((await first.json('POST', '/api/agents', { agent_id: agentId })).status).toBe(200);
  expect((await first.json('POST', '/api/sessions', { title: 'Kept' })).status).toBe(200);
  await first.stop();
  const workspaces = join(dataDir, 'workspaces');
  rmSync(join(workspaces, 'filed', 'storage'), { recursive: true });
  writeFileSync(join(workspaces, 'filed', 'storage'), 'not a folder\n');
  for (const suffix of ['', '-wal', '-shm'])
    rmSync(join(workspaces, 'garbage', 'storage', `agent.db${suffix}`), { force: true });
  writeFileSync(join(workspaces, 'garbage', 'storage', 'agent.db'), 'garbage '.repeat(1000));
}

const NOT_A_FOLDER = {
  code: 'storage_unavailable',
  message: 'A folder of the data folder is a file, not a folder: workspaces/filed/storage',
  details: { reason: 'not_a_folder', folder: 'workspaces/filed/storage' },
};
const DAMAGED = {
  code: 'storage_unavailable',
  message: 'A database in the data folder is damaged (its file is malformed)',
  details: { reason: 'database_damaged', file: 'workspaces/garbage/storage/agent.db' },
};

/** Every GET the API has that takes `agent_id` and no path parameter, for `agentId`. */
async function agentGets(server: TestServer, agentId: string): Promise<string[]> {
  return (await readOperations(server.url))
    .filter((operation) => operation.method === 'GET' && operation.pathParams.length === 0)
    .filter((operation) => operation.queryParams.includes('agent_id'))
    .map((operation) => `${operation.path}?agent_id=${agentId}`);
}

describe('an agent whose storage is broken', () => {
  it('GET /api/agents lists every agent, the broken ones with zero counts and their fault', async () => {
    using dataDir = makeTempDir('moc-broken-agents-');
    await brokenAgents(dataDir.path);
    await using server = await startTestServer({ dataDir: dataDir.path });
    const listed = await server.json('GET', '/api/agents');
    expect(listed.status).toBe(200);
    const rows = new Map(listed.body.data.map((row: any) => [row.agent_id, row]));
    expect([...rows.keys()]).toEqual(['default', 'filed', 'garbage']);
    expect(rows.get('default')).toEqual(expect.objectContaining({ active_sessions: 1, archived_sessions: 0 }));
    expect(rows.get('default')).not.toHaveProperty('error');
    for (const [agentId, error] of [
      ['filed', NOT_A_FOLDER],
      ['garbage', DAMAGED],
    ] as const) {
      expect(rows.get(agentId)).toEqual({
        agent_id: agentId,
        path: join(dataDir.path, 'workspaces', agentId),
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        active_sessions: 0,
        archived_sessions: 0,
        llm_status: expect.any(Object),
        error,
      });
    }
  });

  it("the broken agent's own routes answer 503 storage_unavailable naming the fault, never 500", async () => {
    using dataDir = makeTempDir('moc-broken-routes-');
    await brokenAgents(dataDir.path);
    await using server = await startTestServer({ dataDir: dataDir.path });
    for (const [agentId, error] of [
      ['filed', NOT_A_FOLDER],
      ['garbage', DAMAGED],
    ] as const) {
      const answers: Record<string, number> = {};
      for (const path of await agentGets(server, agentId)) {
        const answer = await server.json('GET', path);
        answers[path] = answer.status;
        if (answer.status === 503) expect(answer.body.error).toEqual({ ...error, request_id: expect.any(String) });
      }
      expect(Object.entries(answers).filter(([, status]) => status >= 500 && status !== 503)).toEqual([]);
      expect(answers[`/api/sessions?agent_id=${agentId}`]).toBe(503);
      expect(answers[`/api/scheduler/cron/jobs?agent_id=${agentId}`]).toBe(503);
      const created = await server.json('POST', `/api/sessions?agent_id=${agentId}`, { title: 'New' });
      expect(created.status).toBe(503);
      expect(created.body.error).toEqual({ ...error, request_id: expect.any(String) });
    }
    expect((await server.json('GET', '/api/sessions')).body.data).toHaveLength(1);
  });
});
