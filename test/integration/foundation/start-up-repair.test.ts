// Start-up repair of a damaged agent folder: each missing file is recreated on its own, so a link to nothing or a
// file that cannot be written is reported and the others are still repaired.
import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../src/shared/logger';
import { run, unmount } from '../../support/disk-mounts';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

/** A logger that keeps every line, parsed, for the test to read. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger('info', (line) => lines.push(JSON.parse(line))) };
}

/** A seeded data folder whose default agent has lost SOUL.md, MEMORY.md and its config.json. */
async function damagedDataFolder(path: string): Promise<{ root: string; soul: string; memory: string }> {
  const first = await startTestServer({ dataDir: path });
  await first.stop();
  const root = join(path, 'workspaces', 'default');
  const soul = readFileSync(join(root, 'workspace', 'SOUL.md'), 'utf8');
  const memory = readFileSync(join(root, 'memory', 'MEMORY.md'), 'utf8');
  for (const file of ['workspace/SOUL.md', 'memory/MEMORY.md', 'config.json']) rmSync(join(root, file));
  return { root, soul, memory };
}

describe('start-up repair of an agent folder', () => {
  it('a dangling AGENTS.md link is left alone and reported; SOUL.md, MEMORY.md and config.json are recreated', async () => {
    using dataDir = makeTempDir('moc-repair-');
    const { root, soul, memory } = await damagedDataFolder(dataDir.path);
    rmSync(join(root, 'workspace', 'AGENTS.md'));
    symlinkSync('gone.md', join(root, 'workspace', 'AGENTS.md'));
    const { lines, logger } = recordingLogger();

    await using server = await startTestServer({ dataDir: dataDir.path, overrides: { logger } });
    expect(readlinkSync(join(root, 'workspace', 'AGENTS.md'))).toBe('gone.md');
    expect(readFileSync(join(root, 'workspace', 'SOUL.md'), 'utf8')).toBe(soul);
    expect(readFileSync(join(root, 'memory', 'MEMORY.md'), 'utf8')).toBe(memory);
    expect(readFileSync(join(root, 'config.json'), 'utf8')).toBe('{}\n');
    expect(lines.filter((line) => line.message === 'agent repair failed')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'agent files are links to nothing; left untouched',
        agentId: 'default',
        files: ['workspace/AGENTS.md'],
      }),
    );
    expect((await server.json('GET', '/api/files?path=workspace/SOUL.md')).body.data.content).toBe(soul);
  });

  it('a file that cannot be written is logged by name and the other files are still repaired', async () => {
    using dataDir = makeTempDir('moc-repair-');
    const { root, soul } = await damagedDataFolder(dataDir.path);
    const memoryDir = join(root, 'memory');
    // A read-only bind over memory/: root ignores file modes, so only a mount makes one write fail.
    const refused = run('mount', '--bind', memoryDir, memoryDir) ?? run('mount', '-o', 'remount,ro,bind', memoryDir);
    if (refused) {
      run('umount', memoryDir);
      console.warn(`skipped: a read-only bind mount is needed (${refused})`);
      return;
    }
    try {
      const { lines, logger } = recordingLogger();
      await using _server = await startTestServer({ dataDir: dataDir.path, overrides: { logger } });
      expect(existsSync(join(memoryDir, 'MEMORY.md'))).toBe(false);
      expect(readFileSync(join(root, 'workspace', 'SOUL.md'), 'utf8')).toBe(soul);
      expect(readFileSync(join(root, 'config.json'), 'utf8')).toBe('{}\n');
      expect(lines.filter((line) => line.message === 'agent repair failed')).toEqual([
        expect.objectContaining({
          level: 'error',
          agentId: 'default',
          file: 'memory/MEMORY.md',
          error: expect.stringContaining('EROFS'),
        }),
      ]);
      expect(lines).toContainEqual(
        expect.objectContaining({
          message: 'repaired missing agent files',
          agentId: 'default',
          files: ['workspace/SOUL.md', 'config.json'],
        }),
      );
    } finally {
      unmount(memoryDir);
    }
  });
});
