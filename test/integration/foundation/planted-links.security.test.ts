// Links and FIFOs an agent can plant in its own folder (its sandbox allows it) never redirect the server,
// hang it, or stop it from starting.
import { describe, expect, it } from 'bun:test';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

describe('planted links and FIFOs', () => {
  it("do not leak another agent's skills, hang on a FIFO snapshot, or follow links at start-up", async () => {
    using data = makeTempDir('planted-');
    using outside = makeTempDir('planted-outside-');
    writeFileSync(join(outside.path, '.moc-tmp-0123456789abcdef'), 'precious');
    const root = join(data.path, 'workspaces', 'default');
    {
      await using server = await startTestServer({ dataDir: data.path });
      await server.json('POST', '/api/agents', { agent_id: 'other' });
      await server.json('POST', '/api/files?agent_id=other', {
        path: 'skills/secret/SKILL.md',
        content: '---\nname: secret\ndescription: OTHER-AGENT-SECRET\n---\n',
      });
      // What the default agent's sandboxed terminal can do inside its own folder.
      renameSync(join(root, 'skills'), join(root, 'skills.real'));
      symlinkSync(join(data.path, 'workspaces', 'other', 'skills'), join(root, 'skills'));
      expect(JSON.stringify((await server.json('GET', '/api/skills')).body.data)).not.toContain('OTHER-AGENT-SECRET');
      rmSync(join(root, 'skills'));
      renameSync(join(root, 'skills.real'), join(root, 'skills'));
      rmSync(join(root, 'SKILLS_SNAPSHOT.md'));
      Bun.spawnSync(['mkfifo', join(root, 'SKILLS_SNAPSHOT.md')]);
      // A skills write refreshes the snapshot: it must replace the FIFO, not block on it.
      expect(
        (await server.json('POST', '/api/files', { path: 'skills/notes/SKILL.md', content: '---\nname: notes\n---\n' }))
          .status,
      ).toBe(200);
      expect(readFileSync(join(root, 'SKILLS_SNAPSHOT.md'), 'utf8')).toContain('notes');
      // Start-up traps for the next start.
      renameSync(join(root, 'workspace'), join(root, 'workspace.real'));
      symlinkSync(outside.path, join(root, 'workspace'));
      mkdirSync(join(root, 'knowledge'), { recursive: true });
      symlinkSync('..', join(root, 'knowledge', 'loop'));
      symlinkSync(outside.path, join(root, 'knowledge', 'lnk'));
    }
    await using restarted = await startTestServer({ dataDir: data.path });
    expect((await restarted.json('GET', '/api/health')).status).toBe(200);
    expect(readdirSync(outside.path)).toEqual(['.moc-tmp-0123456789abcdef']);
    expect(existsSync(join(outside.path, 'SOUL.md'))).toBe(false);
    expect((await restarted.json('GET', '/api/agents')).body.data.map((agent: any) => agent.agent_id).sort()).toEqual([
      'default',
      'other',
    ]);
    // The files index does not list through an area that is a link.
    writeFileSync(join(outside.path, 'outside-name.md'), 'x');
    const index = (await restarted.json('GET', '/api/files/index')).body.data.files as string[];
    expect(index.some((file) => file.includes('outside-name'))).toBe(false);
  });
});
