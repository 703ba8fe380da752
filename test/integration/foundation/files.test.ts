import { describe, expect, it } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';

const SEEDED_INDEX = [
  'SKILLS_SNAPSHOT.md',
  'memory/MEMORY.md',
  'workspace/AGENTS.md',
  'workspace/BOOTSTRAP.md',
  'workspace/HEARTBEAT.md',
  'workspace/IDENTITY.md',
  'workspace/SOUL.md',
  'workspace/TOOLS.md',
  'workspace/USER.md',
];

describe('POST /api/files', () => {
  it('writes a file, creating its parent folders, and reads it back', async () => {
    await using server = await startTestServer();
    const content = 'Grüße 👋\nline two\n';
    const saved = await server.json('POST', '/api/files', { path: 'knowledge/trips/2026/plan.md', content });
    expect(saved).toEqual(
      expect.objectContaining({ status: 200, body: { data: { path: 'knowledge/trips/2026/plan.md', saved: true } } }),
    );
    expect(readFileSync(join(server.dataDir, 'workspaces/default/knowledge/trips/2026/plan.md'), 'utf8')).toBe(content);

    const read = await server.json('GET', `/api/files?path=${encodeURIComponent('knowledge/trips/2026/plan.md')}`);
    expect(read.body).toEqual({ data: { path: 'knowledge/trips/2026/plan.md', content } });
  });

  it('replaces an existing file and accepts empty content', async () => {
    await using server = await startTestServer();
    expect((await server.json('POST', '/api/files', { path: 'memory/MEMORY.md', content: '' })).status).toBe(200);
    expect((await server.json('GET', '/api/files?path=memory/MEMORY.md')).body.data).toEqual({
      path: 'memory/MEMORY.md',
      content: '',
    });
    expect(
      (await server.json('POST', '/api/files', { path: 'memory/MEMORY.md', content: '# Remember\n' })).status,
    ).toBe(200);
    expect((await server.json('GET', '/api/files?path=memory/MEMORY.md')).body.data.content).toBe('# Remember\n');
  });

  it('writes into the agent named by agent_id only', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'b' });
    expect(
      (await server.json('POST', '/api/files?agent_id=b', { path: 'workspace/USER.md', content: 'Agent b user' }))
        .status,
    ).toBe(200);
    expect((await server.json('GET', '/api/files?path=workspace/USER.md&agent_id=b')).body.data.content).toBe(
      'Agent b user',
    );
    expect((await server.json('GET', '/api/files?path=workspace/USER.md')).body.data.content).not.toBe('Agent b user');
    const unknown = await server.json('POST', '/api/files?agent_id=ghost', { path: 'workspace/USER.md', content: 'x' });
    expect(unknown.status).toBe(404);
    expect(server.deps.agents.ids()).toEqual(['b', 'default']);
  });

  it('refuses to overwrite a folder', async () => {
    await using server = await startTestServer();
    const response = await server.json('POST', '/api/files', { path: 'memory', content: 'x' });
    expect(response.status).toBe(403);
    const folder = await server.json('POST', '/api/files', { path: 'workspace/../memory/', content: 'x' });
    expect(folder.status).toBe(403);
    mkdirSync(join(server.dataDir, 'workspaces/default/memory/notes'));
    const nested = await server.json('POST', '/api/files', { path: 'memory/notes', content: 'x' });
    expect(nested.status).toBe(400);
    expect(nested.body.error).toEqual({
      code: 'invalid_request',
      message: 'Path is a folder',
      details: { path: 'memory/notes' },
      request_id: expect.any(String),
    });
    // A name ending in a slash names a folder too; it is not written as a file without the slash.
    const slash = await server.json('POST', '/api/files', { path: 'workspace/newdir/', content: 'x' });
    expect([slash.status, slash.body.error.message]).toEqual([400, 'Path is a folder']);
    expect((await server.json('GET', '/api/files?path=workspace/newdir')).status).toBe(404);
  });

  it('answers 400 when a part of the path is a file, and leaves the file as it was', async () => {
    await using server = await startTestServer();
    const before = (await server.json('GET', '/api/files?path=memory/MEMORY.md')).body.data.content;
    for (const path of ['memory/MEMORY.md/x.md', 'memory/MEMORY.md/sub/x.md']) {
      const response = await server.json('POST', '/api/files', { path, content: 'x' });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        code: 'invalid_request',
        message: 'A part of the path is a file, not a folder',
        details: { path },
      });
    }
    expect((await server.json('GET', '/api/files?path=memory/MEMORY.md')).body.data.content).toBe(before);
  });

  it('refreshes the agent skills snapshot after a write under skills/<name>/SKILL.md', async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'b' });
    const skill = '---\nname: packing-list\ndescription: Builds a packing list for a trip.\n---\n# Steps\n';
    expect(
      (await server.json('POST', '/api/files?agent_id=b', { path: 'skills/packing/SKILL.md', content: skill })).status,
    ).toBe(200);

    const snapshot = (await server.json('GET', '/api/files?path=SKILLS_SNAPSHOT.md&agent_id=b')).body.data
      .content as string;
    expect(snapshot).toContain(
      '  <skill>\n    <name>packing-list</name>\n    <description>Builds a packing list for a trip.</description>\n    <location>./skills/packing/SKILL.md</location>\n  </skill>\n',
    );
    expect(snapshot).toContain('<name>weather</name>');
    const defaultSnapshot = (await server.json('GET', '/api/files?path=SKILLS_SNAPSHOT.md')).body.data
      .content as string;
    expect(defaultSnapshot).not.toContain('packing-list');

    const renamed = skill.replace('packing-list', 'trip-packer');
    await server.json('POST', '/api/files?agent_id=b', { path: 'skills/packing/SKILL.md', content: renamed });
    const after = (await server.json('GET', '/api/files?path=SKILLS_SNAPSHOT.md&agent_id=b')).body.data
      .content as string;
    expect(after).toContain('<name>trip-packer</name>');
    expect(after).not.toContain('packing-list');
  });
});

describe('GET /api/files', () => {
  it('answers 404 not_found with details.path for a missing file or a folder', async () => {
    await using server = await startTestServer();
    for (const path of ['memory/NOTES.md', 'knowledge/none/at/all.md', 'memory/MEMORY.md/x', 'workspace/']) {
      const response = await server.json('GET', `/api/files?path=${encodeURIComponent(path)}`, undefined, {
        'x-request-id': 'r-missing',
      });
      if (path === 'workspace/') {
        expect(response.status).toBe(403);
        continue;
      }
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 404,
        body: { error: { code: 'not_found', message: 'File not found', details: { path }, request_id: 'r-missing' } },
      });
    }
    mkdirSync(join(server.dataDir, 'workspaces/default/knowledge/folder'));
    const folder = await server.json('GET', '/api/files?path=knowledge/folder');
    expect(folder.status).toBe(404);
    expect(folder.body.error.details).toEqual({ path: 'knowledge/folder' });
  });

  it('reads the seeded files and the skills snapshot', async () => {
    await using server = await startTestServer();
    const agentsMd = await server.json('GET', '/api/files?path=workspace/AGENTS.md');
    expect(agentsMd.body.data.content).toBe(
      readFileSync(join(server.dataDir, 'workspaces/default/workspace/AGENTS.md'), 'utf8'),
    );
    const snapshot = await server.json('GET', '/api/files?path=SKILLS_SNAPSHOT.md');
    expect(snapshot.body.data.content).toStartWith('<available_skills>\n');
    const trimmed = await server.json('GET', `/api/files?path=${encodeURIComponent('  memory/MEMORY.md ')}`);
    expect(trimmed.status).toBe(200);
    expect(trimmed.body.data.path).toBe('  memory/MEMORY.md ');
  });

  it('replaces invalid UTF-8 bytes instead of failing', async () => {
    await using server = await startTestServer();
    writeFileSync(join(server.dataDir, 'workspaces/default/memory/binary.md'), Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    expect((await server.json('GET', '/api/files?path=memory/binary.md')).body.data.content).toBe('a\uFFFD\uFFFDb');
  });
});

describe('GET /api/files/index', () => {
  it('lists memory/MEMORY.md, the workspace files and SKILLS_SNAPSHOT.md', async () => {
    await using server = await startTestServer();
    const response = await server.json('GET', '/api/files/index');
    expect(response.body).toEqual({
      data: { agent_id: 'default', workspace_root: join(server.dataDir, 'workspaces', 'default'), files: SEEDED_INDEX },
    });
  });

  it('adds new text files under workspace/, memory/ and knowledge/, sorted, and leaves out other files', async () => {
    await using server = await startTestServer();
    for (const path of [
      'knowledge/deep/a/b.txt',
      'memory/2026-01-01.md',
      'workspace/extra.json',
      'skills/x/SKILL.md',
    ]) {
      await server.json('POST', '/api/files', { path, content: 'x' });
    }
    const root = join(server.dataDir, 'workspaces/default');
    writeFileSync(join(root, 'knowledge', 'photo.png'), 'png');
    writeFileSync(join(root, 'notes.md'), 'outside the areas');
    const files = (await server.json('GET', '/api/files/index')).body.data.files;
    expect(files).toEqual(
      [...SEEDED_INDEX, 'knowledge/deep/a/b.txt', 'memory/2026-01-01.md', 'workspace/extra.json'].sort(),
    );
  });

  it('answers 404 for an unknown agent and 400 for a malformed agent id', async () => {
    await using server = await startTestServer();
    expect((await server.json('GET', '/api/files/index?agent_id=ghost')).status).toBe(404);
    expect((await server.json('GET', '/api/files/index?agent_id=a%20b')).body.error.code).toBe('invalid_request');
    expect(server.deps.agents.ids()).toEqual(['default']);
  });
});
