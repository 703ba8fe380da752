import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../test/support/temp-dir';
import { benchCommand, formatBenchList, readBenchCatalog } from './bench-catalog';
import { runBenchCli } from './index';

/** Collects what the CLI prints. */
function captureIo() {
  const printed = { out: '', err: '' };
  return {
    printed,
    io: { out: (text: string) => void (printed.out += text), err: (text: string) => void (printed.err += text) },
  };
}

describe('readBenchCatalog', () => {
  it('lists every bench/*.bench.ts with the description and Run line of its own header', () => {
    const files = readdirSync(import.meta.dir).filter((name) => name.endsWith('.bench.ts'));
    const entries = readBenchCatalog(import.meta.dir);
    expect(entries.map((entry) => `${entry.name}.bench.ts`).sort()).toEqual(files.sort());
    for (const entry of entries) {
      expect(entry.description).not.toStartWith('(no description');
      const header = readFileSync(entry.file, 'utf8').split('\n')[0]!;
      expect(header).toStartWith(`// ${entry.description.slice(0, 20)}`);
    }
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('tools')!.runtimeFlags).toEqual(['--smol']);
    expect(byName.get('chat')!.usage).toStartWith('[--repeat N]');
    expect(byName.get('scheduler')!.usage).toBe('[--idle-seconds 60]');
  });

  it('joins a description over several lines, and copes with a missing Run line or header', () => {
    using dir = makeTempDir('moc-bench-catalog-');
    writeFileSync(
      join(dir.path, 'two.bench.ts'),
      '// First half of the story,\n// second half.\n// Run: node_modules/.bin/bun --smol --inspect bench/two.bench.ts [n=3]\n// After the Run line: not part of it.\nconsole.log(1);\n',
    );
    writeFileSync(join(dir.path, 'norun.bench.ts'), '// Only a description.\nexport {};\n');
    writeFileSync(join(dir.path, 'bare.bench.ts'), 'export {};\n');
    writeFileSync(join(dir.path, 'helper.ts'), '// Not a bench.\n');
    const entries = readBenchCatalog(dir.path);
    expect(
      entries.map(({ name, description, runtimeFlags, usage }) => ({ name, description, runtimeFlags, usage })),
    ).toEqual([
      { name: 'bare', description: '(no description in bare.bench.ts)', runtimeFlags: [], usage: '' },
      { name: 'norun', description: 'Only a description.', runtimeFlags: [], usage: '' },
      {
        name: 'two',
        description: 'First half of the story, second half.',
        runtimeFlags: ['--smol', '--inspect'],
        usage: '[n=3]',
      },
    ]);
    expect(benchCommand(entries[2]!, ['5'])).toEqual([
      process.execPath,
      '--smol',
      '--inspect',
      join(dir.path, 'two.bench.ts'),
      '5',
    ]);
    expect(formatBenchList(entries)).toContain(
      '  two    First half of the story, second half.\n         npm run bench -- two [n=3]\n',
    );
  });
});

describe('npm run bench (runBenchCli)', () => {
  it('lists the benches without arguments', async () => {
    const { printed, io } = captureIo();
    expect(await runBenchCli([], import.meta.dir, io)).toBe(0);
    for (const entry of readBenchCatalog(import.meta.dir)) expect(printed.out).toContain(`  ${entry.name} `);
    expect(printed.out).toContain('npm run bench -- chat [--repeat N]');
  });

  it('runs one bench by name with the remaining arguments and returns its exit code', async () => {
    using dir = makeTempDir('moc-bench-cli-');
    const record = join(dir.path, 'argv.json');
    writeFileSync(
      join(dir.path, 'echo.bench.ts'),
      `// Writes its arguments down.\n// Run: node_modules/.bin/bun bench/echo.bench.ts [words]\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(3);\n`,
    );
    const { io } = captureIo();
    expect(await runBenchCli(['echo', '--repeat', '2', 'last'], dir.path, io)).toBe(3);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual(['--repeat', '2', 'last']);
  });

  it('refuses an unknown name with exit code 2 and names the benches there are', async () => {
    const { printed, io } = captureIo();
    expect(await runBenchCli(['nope'], import.meta.dir, io)).toBe(2);
    expect(printed.err).toStartWith("unknown bench 'nope'; the benches are: binaries, chat, foundation,");
  });
});
