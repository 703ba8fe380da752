import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';

const SEEDED_FILES = [
  'workspace/AGENTS.md',
  'workspace/SOUL.md',
  'workspace/IDENTITY.md',
  'workspace/USER.md',
  'workspace/TOOLS.md',
  'workspace/HEARTBEAT.md',
  'workspace/BOOTSTRAP.md',
  'memory/MEMORY.md',
  'SKILLS_SNAPSHOT.md',
  'config.json',
  'skills/get_weather/SKILL.md',
  'skills/session-logs/SKILL.md',
  'skills/skill-creator/SKILL.md',
];

const agentRow = (agentId: string, root: string) => ({
  agent_id: agentId,
  path: root,
  created_at: expect.any(Number),
  updated_at: expect.any(Number),
  active_sessions: 0,
  archived_sessions: 0,
});

describe('POST /api/agents', () => {
  it('creates an agent with every seeded file and the knowledge folder', async () => {
    await using server = await startTestServer();
    const root = join(server.dataDir, 'workspaces', 'alpha');
    const created = await server.json('POST', '/api/agents', { agent_id: ' alpha ' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ data: agentRow('alpha', root) });
    expect(created.body.data.created_at).toBeGreaterThan(1_700_000_000);
    expect(SEEDED_FILES.filter((file) => !statSync(join(root, file), { throwIfNoEntry: false })?.isFile())).toEqual([]);
    expect(statSync(join(root, 'knowledge')).isDirectory()).toBe(true);
    expect(readdirSync(join(server.dataDir, 'workspaces')).sort()).toEqual(['alpha', 'default']);

    const list = await server.json('GET', '/api/agents');
    // No LLM_* variables here: the default route is reported as not runnable, not refused.
    const llmStatus = {
      runnable: false,
      route: { default: 'default', fallbacks: [] },
      profiles: [
        {
          id: 'default',
          model: '',
          runnable: false,
          problem: expect.stringContaining('LLM_BASE_URL'),
          state: 'closed',
          last_error: null,
          open_until: null,
        },
      ],
    };
    expect(list.body).toEqual({
      data: [
        { ...agentRow('alpha', root), llm_status: llmStatus },
        { ...agentRow('default', join(server.dataDir, 'workspaces', 'default')), llm_status: llmStatus },
      ],
    });
  });

  it('answers 409 conflict for an existing agent', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'alpha' });
    const again = await server.json('POST', '/api/agents', { agent_id: 'alpha' }, { 'x-request-id': 'r-409' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      error: { code: 'conflict', message: 'Agent already exists: alpha', request_id: 'r-409' },
    });
    expect((await server.json('POST', '/api/agents', { agent_id: 'default' })).status).toBe(409);
  });

  it('answers 400 invalid_request for a malformed id', async () => {
    await using server = await startTestServer();
    for (const agentId of ['a b', 'x'.repeat(65), '../evil', 'a/b', 'ä', '.hidden', '   ']) {
      const response = await server.json('POST', '/api/agents', { agent_id: agentId });
      if (agentId.trim() === '') {
        // Blank means `default`, which exists.
        expect(response.status).toBe(409);
        continue;
      }
      expect({ agentId, status: response.status, error: response.body.error }).toEqual({
        agentId,
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'agent_id must match [A-Za-z0-9_-]{1,64}',
          request_id: expect.any(String),
        },
      });
    }
    expect((await server.json('POST', '/api/agents', { agent_id: 'x'.repeat(64) })).status).toBe(200);
    expect(readdirSync(join(server.dataDir, 'workspaces')).sort()).toEqual(['default', 'x'.repeat(64)]);
  });

  it('answers 422 for a missing body or agent_id', async () => {
    await using server = await startTestServer();
    const missing = await server.json('POST', '/api/agents');
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('validation_error');
    const empty = await server.json('POST', '/api/agents', {});
    expect(empty.body.error.details.items).toEqual([{ field: 'agent_id', message: 'Field required', code: 'missing' }]);
    const wrongType = await server.json('POST', '/api/agents', { agent_id: 5 });
    expect(wrongType.body.error.details.items).toEqual([
      { field: 'agent_id', message: expect.any(String), code: 'string_type' },
    ]);
  });
});

describe('DELETE /api/agents/:agent_id', () => {
  it('deletes the agent folder and forgets the agent', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'alpha' });
    await server.json('POST', '/api/sessions?agent_id=alpha', { title: 'doomed' });
    const deleted = await server.json('DELETE', '/api/agents/alpha');
    expect(deleted.body).toEqual({ data: { deleted: true, agent_id: 'alpha' } });
    expect(readdirSync(join(server.dataDir, 'workspaces'))).toEqual(['default']);
    expect((await server.json('GET', '/api/agents')).body.data.map((row: any) => row.agent_id)).toEqual(['default']);
    expect((await server.json('GET', '/api/sessions?agent_id=alpha')).status).toBe(404);

    const recreated = await server.json('POST', '/api/agents', { agent_id: 'alpha' });
    expect(recreated.body.data.active_sessions).toBe(0);
    expect((await server.json('GET', '/api/sessions?agent_id=alpha')).body.data).toEqual([]);
  });

  it('answers 409 for default, 404 for an unknown agent and 400 for a malformed id', async () => {
    await using server = await startTestServer();
    const protectedDefault = await server.json('DELETE', '/api/agents/default');
    expect(protectedDefault.status).toBe(409);
    expect(protectedDefault.body.error).toEqual({
      code: 'conflict',
      message: 'Default agent cannot be deleted',
      request_id: expect.any(String),
    });
    const unknown = await server.json('DELETE', '/api/agents/ghost');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({
      code: 'not_found',
      message: 'Agent not found',
      request_id: expect.any(String),
    });
    expect((await server.json('DELETE', '/api/agents/a%20b')).body.error.code).toBe('invalid_request');
    expect((await server.json('DELETE', `/api/agents/${'x'.repeat(65)}`)).body.error.code).toBe('invalid_request');
    expect(existsSync(join(server.dataDir, 'workspaces', 'default', 'storage', 'agent.db'))).toBe(true);
  });
});

describe('agent isolation', () => {
  it('keeps sessions apart per agent and counts them in the list', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'b' });
    const inB = (await server.json('POST', '/api/sessions?agent_id=b', { title: 'only in b' })).body.data.session_id;
    const inDefault = (await server.json('POST', '/api/sessions', { title: 'only in default' })).body.data.session_id;
    expect((await server.json('GET', '/api/sessions?agent_id=b')).body.data.map((row: any) => row.session_id)).toEqual([
      inB,
    ]);
    expect((await server.json('GET', '/api/sessions')).body.data.map((row: any) => row.session_id)).toEqual([
      inDefault,
    ]);
    expect((await server.json('GET', `/api/sessions/${inB}/history`)).status).toBe(404);
    expect((await server.json('PUT', `/api/sessions/${inB}`, { title: 'hijack' })).status).toBe(404);
    expect((await server.json('DELETE', `/api/sessions/${inB}`)).status).toBe(404);
    expect((await server.json('GET', `/api/sessions/${inB}/history?agent_id=b`)).status).toBe(200);

    await server.json('POST', `/api/sessions/${inB}/archive?agent_id=b`);
    const rows = (await server.json('GET', '/api/agents')).body.data;
    expect(rows.map((row: any) => [row.agent_id, row.active_sessions, row.archived_sessions])).toEqual([
      ['b', 0, 1],
      ['default', 1, 0],
    ]);
  });

  it('keeps at most APP_MAX_OPEN_AGENTS agents open and answers for every agent', async () => {
    await using server = await startTestServer({ env: { APP_MAX_OPEN_AGENTS: '2', EMBEDDING_PROVIDER: 'none' } });
    const ids = ['one', 'two', 'three', 'four'];
    for (const id of ids) expect((await server.json('POST', '/api/agents', { agent_id: id })).status).toBe(200);
    await server.deps.retrieval.idle();
    for (const id of ids) {
      expect((await server.json('POST', `/api/sessions?agent_id=${id}`, { title: `in ${id}` })).status).toBe(200);
      expect(server.deps.agents.openCount()).toBeLessThanOrEqual(2);
    }
    const rows = (await server.json('GET', '/api/agents')).body.data;
    expect(rows.map((row: any) => [row.agent_id, row.active_sessions])).toEqual([
      ['default', 0],
      ['four', 1],
      ['one', 1],
      ['three', 1],
      ['two', 1],
    ]);
    expect(server.deps.agents.openCount()).toBeLessThanOrEqual(2);
  });

  it('keeps a deleted BOOTSTRAP.md deleted across requests', async () => {
    await using server = await startTestServer();
    const bootstrap = join(server.dataDir, 'workspaces', 'default', 'workspace', 'BOOTSTRAP.md');
    rmSync(bootstrap);
    for (const path of [
      '/api/files/index',
      '/api/sessions',
      '/api/config/runtime',
      '/api/agents',
      '/api/skills',
      '/api/files?path=workspace/AGENTS.md',
    ]) {
      expect((await server.json('GET', path)).status).toBe(200);
    }
    await server.json('POST', '/api/files', { path: 'workspace/USER.md', content: 'name: Ada' });
    expect(existsSync(bootstrap)).toBe(false);
    expect((await server.json('GET', '/api/files?path=workspace/BOOTSTRAP.md')).status).toBe(404);
    expect((await server.json('GET', '/api/files/index')).body.data.files).not.toContain('workspace/BOOTSTRAP.md');
  });
});
