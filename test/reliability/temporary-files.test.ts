// Temporary files never make a valid name fail, and the start-up sweep removes only the server's own temporaries.
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTemporaryName } from '../../src/shared/atomic-write';
import { waitFor } from '../support/scheduler-fixture';
import { startTestServer } from '../support/start-test-server';
import { makeTempDir } from '../support/temp-dir';
import { createToolHarness } from '../support/tool-harness';

/** A file name of exactly `bytes` UTF-8 bytes (some of them two-byte characters), ending in `.md`. */
function nameOfBytes(bytes: number): string {
  const stem = 'é'.repeat(10) + 'n'.repeat(bytes - 20 - 3);
  const name = `${stem}.md`;
  expect(Buffer.byteLength(name)).toBe(bytes);
  return name;
}

const LONG_NAMES = [238, 250, 255].map(nameOfBytes);
const USER_LOOKALIKES = [
  '.x.0123456789ab.tmp',
  '.notes.md.a1b2c3d4e5f6.tmp',
  '.moc-tmp-notes',
  '.moc-tmp-0123456789abcdeg',
];
const RESERVED = '.moc-tmp-0123456789abcdef';

describe('long file names', () => {
  it('POST /api/files saves names of 238, 250 and 255 bytes and leaves only them', async () => {
    await using server = await startTestServer();
    for (const name of LONG_NAMES) {
      const path = `knowledge/long/${name}`;
      const saved = await server.json('POST', '/api/files', { path, content: `content of ${name.length}` });
      expect({ bytes: Buffer.byteLength(name), status: saved.status }).toEqual({
        bytes: Buffer.byteLength(name),
        status: 200,
      });
      // A second write replaces the file through a temporary as well.
      expect((await server.json('POST', '/api/files', { path, content: 'again' })).status).toBe(200);
      expect((await server.json('GET', `/api/files?path=${encodeURIComponent(path)}`)).body.data.content).toBe('again');
    }
    expect(readdirSync(join(server.dataDir, 'workspaces', 'default', 'knowledge', 'long')).sort()).toEqual(
      [...LONG_NAMES].sort(),
    );
  });

  it('a name over 255 bytes is refused with 403 forbidden_path, never a 500', async () => {
    await using server = await startTestServer();
    const response = await server.json('POST', '/api/files', { path: `knowledge/${'n'.repeat(253)}.md`, content: 'x' });
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual(
      expect.objectContaining({
        code: 'forbidden_path',
        details: expect.objectContaining({ reason: expect.stringContaining('255 bytes') }),
      }),
    );
    expect(readdirSync(join(server.dataDir, 'workspaces', 'default', 'knowledge'))).not.toContainEqual(
      expect.stringContaining('nnnn'),
    );
  });

  it('apply_patch creates and changes files with names of 238, 250 and 255 bytes', async () => {
    using harness = createToolHarness();
    for (const name of LONG_NAMES) {
      const path = `knowledge/${name}`;
      const created = await harness.call('apply_patch', {
        input: `--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+first\n`,
      });
      expect({ name: Buffer.byteLength(name), ok: created.ok, error: created.error }).toEqual({
        name: Buffer.byteLength(name),
        ok: true,
        error: null,
      });
      const changed = await harness.call('apply_patch', {
        input: `--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-first\n+second\n`,
      });
      expect(changed.ok).toBe(true);
      expect(readFileSync(join(harness.root, path), 'utf8')).toBe('second\n');
    }
    expect(readdirSync(join(harness.root, 'knowledge')).sort()).toEqual([...LONG_NAMES].sort());
  });
});

describe('start-up sweep of temporary files', () => {
  it('keeps user files that merely look like temporaries across a restart', async () => {
    using dir = makeTempDir('moc-data-');
    {
      await using server = await startTestServer({ dataDir: dir.path });
      for (const name of USER_LOOKALIKES) {
        for (const area of ['knowledge', 'memory', 'workspace']) {
          expect(
            (await server.json('POST', '/api/files', { path: `${area}/${name}`, content: `mine: ${name}` })).status,
          ).toBe(200);
        }
      }
    }
    writeFileSync(join(dir.path, '.x.0123456789ab.tmp'), 'beside the global config');
    await using restarted = await startTestServer({ dataDir: dir.path });
    for (const name of USER_LOOKALIKES) {
      for (const area of ['knowledge', 'memory', 'workspace']) {
        expect(
          (await restarted.json('GET', `/api/files?path=${encodeURIComponent(`${area}/${name}`)}`)).body.data?.content,
        ).toBe(`mine: ${name}`);
      }
    }
    expect(readFileSync(join(dir.path, '.x.0123456789ab.tmp'), 'utf8')).toBe('beside the global config');
  });

  it('refuses the name the server reserves for its temporaries, in the files API and apply_patch', async () => {
    await using server = await startTestServer();
    for (const path of [`knowledge/${RESERVED}`, `memory/${RESERVED}/notes.md`]) {
      const response = await server.json('POST', '/api/files', { path, content: 'x' });
      expect({ path, status: response.status, code: response.body.error?.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden_path',
      });
      expect(response.body.error.details.reason).toContain('temporary');
    }
    expect(existsSync(join(server.dataDir, 'workspaces', 'default', 'knowledge', RESERVED))).toBe(false);
    using harness = createToolHarness();
    const patched = await harness.call('apply_patch', {
      input: `--- /dev/null\n+++ b/knowledge/${RESERVED}\n@@ -0,0 +1 @@\n+x\n`,
    });
    expect(patched.error?.code).toBe('E_INVALID_PATH');
    expect(existsSync(join(harness.root, 'knowledge', RESERVED))).toBe(false);
  });

  it('still removes the temporary a killed write left behind, and nothing else', async () => {
    using dir = makeTempDir('moc-data-');
    {
      await using server = await startTestServer({ dataDir: dir.path });
      expect(
        (await server.json('POST', '/api/files', { path: 'knowledge/.x.0123456789ab.tmp', content: 'mine' })).status,
      ).toBe(200);
    }
    const folder = join(dir.path, 'workspaces', 'default', 'knowledge');
    const target = join(folder, 'big.md');
    const before = readdirSync(folder);
    const leftovers = () => readdirSync(folder).filter(isTemporaryName);
    const script = join(dir.path, 'rewrite-forever.ts');
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dir, '../../src/shared/atomic-write'))};\n` +
        `const data = Buffer.alloc(8 * 1024 * 1024, 97);\nfor (;;) writeFileAtomic(${JSON.stringify(target)}, data);\n`,
    );
    // Kill a process that rewrites one file over and over; most of its time a temporary exists, so a few tries leave one.
    let kills = 0;
    for (; kills < 20 && leftovers().length === 0; kills++) {
      const child = Bun.spawn([process.execPath, script], { stdout: 'ignore', stderr: 'ignore' });
      await waitFor(() => (existsSync(target) && readdirSync(folder).some(isTemporaryName) ? true : undefined), 20_000);
      child.kill('SIGKILL');
      await child.exited;
    }
    expect(leftovers()).toHaveLength(1);
    console.log(`temporary sweep: a killed rewrite of an 8 MiB file left a temporary after ${kills} kill(s)`);
    await using _restarted = await startTestServer({ dataDir: dir.path });
    // The sweep runs in the background once the server has started.
    const expected = [...before, 'big.md'].sort();
    await waitFor(() => (readdirSync(folder).sort().join('\n') === expected.join('\n') ? true : undefined));
    expect(readdirSync(folder).sort()).toEqual(expected);
    expect(readFileSync(join(folder, '.x.0123456789ab.tmp'), 'utf8')).toBe('mine');
  }, 60_000);
});
