import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('server restart on the same data folder', () => {
  it('keeps agents, sessions with titles, config changes and files', async () => {
    using dataDir = makeTempDir('moc-restart-');
    await using first = await startTestServer({ dataDir: dataDir.path });
    expect((await first.json('POST', '/api/agents', { agent_id: 'kept' })).status).toBe(200);
    const session = (await first.json('POST', '/api/sessions?agent_id=kept', { title: 'Survives restarts' })).body.data;
    await first.json('POST', `/api/sessions/${session.session_id}/archive?agent_id=kept`);
    const active = (await first.json('POST', '/api/sessions', { title: 'Default agent session' })).body.data;
    expect(
      (
        await first.json('PUT', '/api/config/runtime?agent_id=kept', {
          config: { scheduler: { runs_query_default_limit: 42 } },
        })
      ).status,
    ).toBe(200);
    expect((await first.json('PUT', '/api/config/rag-mode', { enabled: true })).status).toBe(200);
    expect(
      (await first.json('POST', '/api/files?agent_id=kept', { path: 'memory/notes.md', content: 'remember me' }))
        .status,
    ).toBe(200);
    const agentsBefore = (await first.json('GET', '/api/agents')).body.data;
    const sessionsBefore = (await first.json('GET', '/api/sessions?agent_id=kept&scope=all')).body.data;
    await first.stop();
    expect(existsSync(join(dataDir.path, 'workspaces', 'kept', 'storage', 'agent.db'))).toBe(true);

    await using second = await startTestServer({ dataDir: dataDir.path });
    expect((await second.json('GET', '/api/agents')).body.data).toEqual(agentsBefore);
    expect(agentsBefore.map((row: any) => row.agent_id)).toEqual(['default', 'kept']);
    expect((await second.json('GET', '/api/sessions?agent_id=kept&scope=all')).body.data).toEqual(sessionsBefore);
    expect(sessionsBefore).toEqual([
      expect.objectContaining({ session_id: session.session_id, title: 'Survives restarts', archived: true }),
    ]);
    expect(
      (await second.json('GET', '/api/sessions')).body.data.map((row: any) => [row.session_id, row.title]),
    ).toEqual([[active.session_id, 'Default agent session']]);
    const keptConfig = (await second.json('GET', '/api/config/runtime?agent_id=kept')).body.data.config;
    expect(keptConfig.scheduler).toEqual({ api_enabled: true, runs_query_default_limit: 42 });
    expect(keptConfig.rag_mode).toBe(false);
    expect((await second.json('GET', '/api/config/rag-mode')).body.data).toEqual({
      enabled: true,
      agent_id: 'default',
    });
    expect((await second.json('GET', '/api/files?agent_id=kept&path=memory/notes.md')).body.data.content).toBe(
      'remember me',
    );
  });

  it('repairs deleted core files and built-in skills but leaves a deleted BOOTSTRAP.md deleted', async () => {
    using dataDir = makeTempDir('moc-restart-');
    await using first = await startTestServer({ dataDir: dataDir.path });
    await first.stop();
    const root = join(dataDir.path, 'workspaces', 'default');
    const soul = readFileSync(join(root, 'workspace', 'SOUL.md'), 'utf8');
    rmSync(join(root, 'workspace', 'BOOTSTRAP.md'));
    rmSync(join(root, 'workspace', 'SOUL.md'));
    rmSync(join(dataDir.path, 'skills', 'get_weather'), { recursive: true });

    await using second = await startTestServer({ dataDir: dataDir.path });
    expect(existsSync(join(root, 'workspace', 'BOOTSTRAP.md'))).toBe(false);
    expect((await second.json('GET', '/api/files?path=workspace/SOUL.md')).body.data.content).toBe(soul);
    expect((await second.json('GET', '/api/skills')).body.data.map((skill: any) => skill.name)).toEqual([
      'weather',
      'session-logs',
      'skill-creator',
    ]);
  });
});
