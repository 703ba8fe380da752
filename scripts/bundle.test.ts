// The bundle step of `npm start` on a small project of its own: built when missing or stale, left alone otherwise.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../test/support/temp-dir';
import { ensureBundle, inputsStamp, isUpToDate } from './bundle';

/** Writes `files` (path below `root` → content) into `root`. */
function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A project with the two entries the bundle is built from. */
function project(root: string, greeting = 'hello'): void {
  write(root, {
    'package.json': '{"name":"tiny"}',
    'src/main.ts': `import { greeting } from './greeting';\nconsole.log(greeting);\n`,
    'src/greeting.ts': `export const greeting = '${greeting}';\n`,
    'src/chat/model-worker/worker-entry.ts': `console.log('worker');\n`,
    'src/greeting.test.ts': `// a test\n`,
    'assets/template/AGENTS.md': '# Agents\n',
  });
}

/** What running the bundle's main entry prints. */
function runMain(out: string): string {
  const run = Bun.spawnSync({ cmd: [process.execPath, join(out, 'main.js')], stdout: 'pipe', stderr: 'pipe' });
  return run.stdout.toString().trim();
}

describe('npm start bundle step', () => {
  it("changes the inputs' stamp with a source, an asset or a new file, not with a test", () => {
    using folder = makeTempDir('moc-bundle-stamp-');
    project(folder.path);
    const first = inputsStamp(folder.path);
    expect(inputsStamp(folder.path)).toBe(first);
    write(folder.path, { 'src/greeting.test.ts': '// another test\n' });
    expect(inputsStamp(folder.path)).toBe(first);
    write(folder.path, { 'src/greeting.ts': `export const greeting = 'hi';\n` });
    const edited = inputsStamp(folder.path);
    expect(edited).not.toBe(first);
    write(folder.path, { 'assets/template/AGENTS.md': '# Agents, edited\n' });
    const asset = inputsStamp(folder.path);
    expect(asset).not.toBe(edited);
    write(folder.path, { 'src/new.ts': 'export {};\n' });
    expect(inputsStamp(folder.path)).not.toBe(asset);
  });

  it('builds a missing bundle, leaves an up-to-date one alone and rebuilds a stale one', async () => {
    using folder = makeTempDir('moc-bundle-build-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundle');
    expect(await ensureBundle(folder.path, out)).toBe(true);
    expect(runMain(out)).toBe('hello');
    expect(readdirSync(join(out, 'chat', 'model-worker'))).toEqual(['worker-entry.js']);
    const built = statSync(join(out, 'main.js')).mtimeMs;

    expect(await ensureBundle(folder.path, out)).toBe(false);
    expect(statSync(join(out, 'main.js')).mtimeMs).toBe(built);

    project(folder.path, 'edited');
    expect(isUpToDate(out, inputsStamp(folder.path))).toBe(false);
    expect(await ensureBundle(folder.path, out)).toBe(true);
    expect(runMain(out)).toBe('edited');
    // Nothing of the build is left beside the bundle.
    expect(readdirSync(dirname(out))).toEqual(['bundle']);
  });

  it('rebuilds a bundle whose stamp is missing or whose main entry is gone', async () => {
    using folder = makeTempDir('moc-bundle-partial-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundle');
    await ensureBundle(folder.path, out);
    const stamp = inputsStamp(folder.path);
    expect(readFileSync(join(out, 'inputs.sha256'), 'utf8')).toBe(stamp);
    Bun.spawnSync({ cmd: ['rm', join(out, 'main.js')] });
    expect(isUpToDate(out, stamp)).toBe(false);
    expect(await ensureBundle(folder.path, out)).toBe(true);
    Bun.spawnSync({ cmd: ['rm', join(out, 'inputs.sha256')] });
    expect(await ensureBundle(folder.path, out)).toBe(true);
    expect(runMain(out)).toBe('hello');
  });

  it('ends two builds racing with one whole bundle in place', async () => {
    using folder = makeTempDir('moc-bundle-race-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundle');
    await Promise.all([ensureBundle(folder.path, out), ensureBundle(folder.path, out)]);
    expect(isUpToDate(out, inputsStamp(folder.path))).toBe(true);
    expect(runMain(out)).toBe('hello');
    expect(readdirSync(dirname(out))).toEqual(['bundle']);
  });

  it("fails with bun build's message when the sources do not build, and leaves the old bundle", async () => {
    using folder = makeTempDir('moc-bundle-broken-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundle');
    await ensureBundle(folder.path, out);
    write(folder.path, { 'src/main.ts': `import { missing } from './nowhere';\nconsole.log(missing);\n` });
    await expect(ensureBundle(folder.path, out)).rejects.toThrow(/nowhere/);
    expect(runMain(out)).toBe('hello');
    expect(readdirSync(dirname(out))).toEqual(['bundle']);
  });
});
