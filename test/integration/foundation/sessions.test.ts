import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../../support/start-test-server';

describe('/api/sessions', () => {
  it('creates, lists, renames, archives, restores and deletes', async () => {
    await using server = await startTestServer();
    const created = await server.json('POST', '/api/sessions', { title: '  Trip plans ' });
    expect(created.status).toBe(200);
    const id = created.body.data.session_id as string;
    expect(created.body.data).toEqual({ session_id: id, title: 'Trip plans' });
    const plain = await server.json('POST', '/api/sessions');
    expect(plain.body.data.title).toBe('New Session');

    const list = await server.json('GET', '/api/sessions');
    expect(list.body.data.map((row: any) => row.session_id)).toEqual([plain.body.data.session_id, id]);
    expect(Object.keys(list.body.data[0]).sort()).toEqual([
      'archived',
      'created_at',
      'session_id',
      'title',
      'updated_at',
    ]);

    expect((await server.json('PUT', `/api/sessions/${id}`, { title: 'Renamed' })).body.data).toEqual({
      session_id: id,
      title: 'Renamed',
    });
    expect((await server.json('PUT', `/api/sessions/${id}`, { title: '   ' })).status).toBe(422);
    expect((await server.json('POST', `/api/sessions/${id}/archive`)).body.data).toEqual({
      archived: true,
      session_id: id,
    });
    expect((await server.json('GET', '/api/sessions')).body.data).toHaveLength(1);
    const archived = await server.json('GET', '/api/sessions?scope=archived');
    expect(archived.body.data).toEqual([expect.objectContaining({ session_id: id, archived: true, title: 'Renamed' })]);
    expect((await server.json('GET', '/api/sessions?scope=all')).body.data).toHaveLength(2);
    expect((await server.json('PUT', `/api/sessions/${id}`, { title: 'x' })).status).toBe(404);
    expect((await server.json('GET', `/api/sessions/${id}/history?archived=true`)).body.data.archived).toBe(true);
    expect((await server.json('POST', `/api/sessions/${id}/restore`)).body.data).toEqual({
      restored: true,
      session_id: id,
    });
    expect((await server.json('POST', `/api/sessions/${id}/restore`)).status).toBe(404);
    await server.json('POST', `/api/sessions/${id}/archive`);
    expect((await server.json('DELETE', `/api/sessions/${id}`)).status).toBe(404);
    expect((await server.json('DELETE', `/api/sessions/${id}?archived=true`)).body.data).toEqual({
      deleted: true,
      session_id: id,
      archived: true,
    });
    expect((await server.json('GET', '/api/sessions?scope=all')).body.data).toHaveLength(1);
  });

  it('answers 404 for unknown sessions and agents, and never creates them', async () => {
    await using server = await startTestServer();
    for (const [method, path] of [
      ['GET', '/api/sessions/nope/history'],
      ['PUT', '/api/sessions/nope'],
      ['DELETE', '/api/sessions/nope'],
      ['POST', '/api/sessions/nope/archive'],
      ['POST', '/api/sessions/nope/restore'],
    ] as const) {
      const response = await server.json(method, path, method === 'PUT' ? { title: 'x' } : undefined);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    const unknownAgent = await server.json('GET', '/api/sessions?agent_id=ghost');
    expect(unknownAgent.status).toBe(404);
    expect((await server.json('GET', '/api/agents')).body.data.map((row: any) => row.agent_id)).toEqual(['default']);
    const badAgent = await server.json('GET', '/api/sessions?agent_id=bad%20id');
    expect(badAgent.status).toBe(400);
    expect(badAgent.body.error).toEqual(
      expect.objectContaining({ code: 'invalid_request', message: 'agent_id must match [A-Za-z0-9_-]{1,64}' }),
    );
    expect((await server.json('GET', '/api/sessions?scope=everything')).body.error.details.items[0].field).toBe(
      'query.scope',
    );
  });

  it('shows stored messages and the live partial reply in history', async () => {
    await using server = await startTestServer();
    const id = (await server.json('POST', '/api/sessions')).body.data.session_id;
    const sessions = server.deps.sessions.of(server.deps.agents.get('default'));
    await sessions.append(id, [
      { role: 'user', content: 'hello' },
      {
        role: 'assistant',
        content: 'checking',
        toolCalls: [{ tool: 'read_file', input: { path: 'memory/MEMORY.md' }, output: '{"ok":true}' }],
        runId: 'r1',
      },
    ]);
    await sessions.setLiveResponse(id, { runId: 'r2', content: ' partial ', toolCalls: [], updatedAt: 1 });
    const history = (await server.json('GET', `/api/sessions/${id}/history`)).body.data;
    expect(history.session_id).toBe(id);
    expect(history.compressed_context).toBe('');
    expect(history.messages.map(({ created_at, ...rest }: any) => rest)).toEqual([
      { role: 'user', content: 'hello' },
      {
        role: 'assistant',
        content: 'checking',
        tool_calls: [{ tool: 'read_file', input: { path: 'memory/MEMORY.md' }, output: '{"ok":true}' }],
        run_id: 'r1',
      },
      { role: 'assistant', content: 'partial', streaming: true, run_id: 'r2' },
    ]);
  });
});
