// The bundle step of `npm start` on a small project of its own: built when missing or stale, left alone otherwise.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeTempDir } from '../test/support/temp-dir';
import { ensureBundle, inputsStamp, isWhole } from './bundle';
import { runCommand } from './run-command';

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

/** What running a bundle's main entry prints. */
function runMain(main: string): string {
  const run = Bun.spawnSync({ cmd: [process.execPath, main], stdout: 'pipe', stderr: 'pipe' });
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

  it('builds a missing bundle, leaves an up-to-date one alone and builds a stale one beside it', async () => {
    using folder = makeTempDir('moc-bundle-build-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundles');
    const first = await ensureBundle(folder.path, out);
    expect(first).toEqual({ main: join(out, inputsStamp(folder.path), 'main.js'), built: true });
    expect(runMain(first.main)).toBe('hello');
    expect(readdirSync(join(dirname(first.main), 'chat', 'model-worker'))).toEqual(['worker-entry.js']);
    const built = statSync(first.main).mtimeMs;

    expect(await ensureBundle(folder.path, out)).toEqual({ main: first.main, built: false });
    expect(statSync(first.main).mtimeMs).toBe(built);

    project(folder.path, 'edited');
    const second = await ensureBundle(folder.path, out);
    expect(second.built).toBe(true);
    expect(second.main).not.toBe(first.main);
    expect(runMain(second.main)).toBe('edited');
    // The older bundle stays whole for a server still running from it; nothing of the builds is left.
    expect(isWhole(dirname(first.main))).toBe(true);
    expect(runMain(first.main)).toBe('hello');
    expect(readdirSync(out).sort()).toEqual([basename(dirname(first.main)), basename(dirname(second.main))].sort());
  });

  it('keeps the three newest bundles and sweeps what builds of gone processes left', async () => {
    using folder = makeTempDir('moc-bundle-sweep-');
    const out = join(folder.path, 'dist', 'bundles');
    const mains: string[] = [];
    for (const greeting of ['one', 'two', 'three', 'four']) {
      project(folder.path, greeting);
      mains.push((await ensureBundle(folder.path, out)).main);
      // A crashed build's staging folder (its process is gone) is swept by the next build.
      if (greeting === 'two') mkdirSync(join(out, `${'0'.repeat(16)}.999999999.deadbeef.tmp`));
    }
    expect(readdirSync(out).sort()).toEqual(
      mains
        .slice(1)
        .map((main) => basename(dirname(main)))
        .sort(),
    );
    expect(runMain(mains[3]!)).toBe('four');
  });

  it('rebuilds a bundle folder that is not whole', async () => {
    using folder = makeTempDir('moc-bundle-partial-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundles');
    const { main } = await ensureBundle(folder.path, out);
    rmSync(join(dirname(main), 'chat'), { recursive: true });
    expect(isWhole(dirname(main))).toBe(false);
    expect((await ensureBundle(folder.path, out)).built).toBe(true);
    expect(runMain(main)).toBe('hello');
  });

  it('ends two bundle steps racing (two processes) with one whole bundle, both printing it', async () => {
    using folder = makeTempDir('moc-bundle-race-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundles');
    const step = () =>
      runCommand([process.execPath, join(import.meta.dir, 'bundle.ts'), '--root', folder.path, '--out', out]);
    const [a, b] = await Promise.all([step(), step()]);
    const main = join(out, inputsStamp(folder.path), 'main.js');
    expect([a.code, a.stdout, b.code, b.stdout]).toEqual([0, `${main}\n`, 0, `${main}\n`]);
    expect(runMain(main)).toBe('hello');
    expect(readdirSync(out)).toEqual([inputsStamp(folder.path)]);
  });

  it('as the start script runs it, prints the sources to run, with the reason, when the bundle cannot be built', async () => {
    using folder = makeTempDir('moc-bundle-cli-');
    project(folder.path);
    write(folder.path, { 'src/main.ts': `import { missing } from './nowhere';\nconsole.log(missing);\n` });
    const out = join(folder.path, 'dist', 'bundles');
    const result = await runCommand([
      process.execPath,
      join(import.meta.dir, 'bundle.ts'),
      '--root',
      folder.path,
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(folder.path, 'src', 'main.ts')}\n`);
    expect(result.stderr).toContain('could not bundle the sources');
    expect(result.stderr).toContain('nowhere');
    expect(result.stderr).toContain('running the sources');
  });

  it("fails with bun build's message when the sources do not build, and leaves the bundles there", async () => {
    using folder = makeTempDir('moc-bundle-broken-');
    project(folder.path);
    const out = join(folder.path, 'dist', 'bundles');
    const { main } = await ensureBundle(folder.path, out);
    write(folder.path, { 'src/main.ts': `import { missing } from './nowhere';\nconsole.log(missing);\n` });
    await expect(ensureBundle(folder.path, out)).rejects.toThrow(/nowhere/);
    expect(runMain(main)).toBe('hello');
    expect(readdirSync(out)).toEqual([basename(dirname(main))]);
  });
});
