// Files the server reads for the prompt and the skills list never follow links an agent planted.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatFixture } from '../../support/chat-fixture';
import { makeTempDir } from '../../support/temp-dir';

describe('planted links', () => {
  it('keep an outside file out of the system prompt and the skills list', async () => {
    using outside = makeTempDir('outside-secret-');
    writeFileSync(
      join(outside.path, 'secret.md'),
      '---\nname: OUTSIDE-SECRET-NAME\ndescription: OUTSIDE-SECRET\n---\nOUTSIDE-SECRET-BODY\n',
    );
    await using fixture = await startChatFixture();
    const root = join(fixture.server.dataDir, 'workspaces', 'default');
    // What a sandboxed terminal command can do inside its own folder.
    rmSync(join(root, 'workspace', 'USER.md'));
    symlinkSync(join(outside.path, 'secret.md'), join(root, 'workspace', 'USER.md'));
    mkdirSync(join(root, 'skills', 'planted'), { recursive: true });
    symlinkSync(join(outside.path, 'secret.md'), join(root, 'skills', 'planted', 'SKILL.md'));
    symlinkSync(outside.path, join(root, 'skills', 'linked-folder'));

    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'ok' }, { kind: 'text', text: 'Title' });
    expect(
      (await fixture.server.json('POST', '/api/chat', { message: 'hi', session_id: sessionId, stream: false })).status,
    ).toBe(200);
    const prompt = JSON.stringify(fixture.model.chatRequests()[0]!.body.messages[0]);
    expect(prompt).not.toContain('OUTSIDE-SECRET');
    expect(prompt).toContain('[MISSING FILE: workspace/USER.md]');
    const skills = JSON.stringify((await fixture.server.json('GET', '/api/skills')).body.data);
    expect(skills).not.toContain('OUTSIDE-SECRET');
    expect(skills).not.toContain('planted');
  });
});
