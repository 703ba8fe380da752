// The Dockerfile's promises, checked in its text: stages, base images, user, volume, health check (container.test.ts runs it).
import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };

const ROOT = join(import.meta.dir, '..', '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions, joining `\` continuations and dropping comments. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = rest.split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const { args: globalArgs, stages } = parseDockerfile(dockerfile);
const build = stages[0]!;
const runtime = stages[stages.length - 1]!;
const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const runs = (stage: Stage) => all(stage, 'RUN').join('\n');
/** The global ARG defaults (before the first FROM), each expanded with the ones above it. */
const defaults = new Map<string, string>();
for (const arg of globalArgs.filter((instruction) => instruction.keyword === 'ARG')) {
  const [name = '', value = ''] = arg.args.split(/=(.*)/);
  defaults.set(
    name,
    value.replace(/\$\{(\w+)\}/g, (_, used: string) => defaults.get(used) ?? ''),
  );
}
/** A stage's base image as built without --build-arg. */
const baseImage = (stage: Stage) => stage.from.replace(/\$\{(\w+)\}/g, (_, name: string) => defaults.get(name) ?? '');

describe('Dockerfile', () => {
  it('has a Bun build stage and a slim Debian runtime stage, by default', () => {
    expect(stages.length).toBe(2);
    const buildImage = baseImage(build);
    expect(buildImage).toMatch(/^oven\/bun:1\.4(\.\d+)?(-debian)?$/);
    expect(buildImage).toContain(packageJson.devDependencies.bun.split('.').slice(0, 2).join('.'));
    expect(build.name).toBeDefined();
    expect(baseImage(runtime)).toBe('debian:bookworm-slim');
  });

  it('takes both base images as build arguments, so a test can build on local stand-ins', () => {
    expect([build.from, runtime.from]).toEqual(['${BUILD_IMAGE}', '${RUNTIME_IMAGE}']);
    expect(defaults.get('BUILD_IMAGE')).toBe(`oven/bun:${defaults.get('BUN_VERSION')}`);
  });

  it('installs from the lockfile and compiles with the package.json build script', () => {
    expect(runs(build)).toMatch(/bun install --frozen-lockfile|npm ci/);
    expect(all(build, 'COPY').some((copy) => copy.includes('package-lock.json'))).toBe(true);
    expect(packageJson.scripts.build).toContain('bun build --compile');
    const buildRun = runs(build);
    expect(buildRun.includes('bun run build') || buildRun.includes(packageJson.scripts.build)).toBe(true);
  });

  it('copies only the binary from the build stage and installs the sandbox tools and ca-certificates without recommends', () => {
    const copies = all(runtime, 'COPY');
    expect(copies).toEqual([`--from=${build.name} /src/dist/mini-openclaw /usr/local/bin/mini-openclaw`]);
    const installs = runs(runtime);
    expect(installs).toContain('apt-get install -y --no-install-recommends');
    // bubblewrap and util-linux (prlimit, setpriv): the terminal sandbox.
    for (const name of ['bubblewrap', 'util-linux', 'ca-certificates'])
      expect(installs).toMatch(new RegExp(`--no-install-recommends[^&]*\\b${name}\\b`));
    expect(installs).toContain('rm -rf /var/lib/apt/lists/*');
    expect(all(runtime, 'ENTRYPOINT')).toEqual(['["/usr/local/bin/mini-openclaw"]']);
  });

  it('runs as a non-root user with its data in a /data volume, listening on 8002 on all interfaces', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const user = users[0]!.split(':')[0]!;
    expect(runs(runtime)).toMatch(new RegExp(`useradd [^&]*\\b${user}\\b`));
    expect(runs(runtime)).toMatch(new RegExp(`chown ${user}(:${user})? /data`));
    expect(all(runtime, 'VOLUME')).toEqual(['/data']);
    const env = all(runtime, 'ENV').join(' ');
    expect(env).toContain('APP_DATA_DIR=/data');
    expect(env).toContain('APP_HOST=0.0.0.0');
    expect(all(runtime, 'EXPOSE')).toEqual(['8002']);
    // USER comes after every RUN, so nothing runs as root at container start.
    const keywords = runtime.instructions.map((instruction) => instruction.keyword);
    expect(keywords.lastIndexOf('RUN')).toBeLessThan(keywords.indexOf('USER'));
  });

  it('checks health on /api/health with a tool the runtime image installs', () => {
    const checks = all(runtime, 'HEALTHCHECK');
    expect(checks.length).toBe(1);
    expect(checks[0]).toContain('/api/health');
    expect(checks[0]).toMatch(/CMD curl -fsS /);
    expect(runs(runtime)).toMatch(/--no-install-recommends[^&]*\bcurl\b/);
  });

  it('builds from files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const name of ['.git', 'node_modules', 'dist', 'storage', '.env']) expect(ignored).toContain(name);
    const sources = all(build, 'COPY')
      .filter((copy) => !copy.startsWith('--from'))
      .flatMap((copy) => copy.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'assets']));
    // Every file the build script reads besides the sources (the bytecode order it lays the binary out by).
    const read = [...packageJson.scripts.build.matchAll(/--bytecode-order[= ](\S+)/g)].flatMap((match) =>
      (match[1] ?? '').split(','),
    );
    expect(read).toContain('scripts/mini-openclaw.order');
    for (const file of read)
      expect(sources.some((source) => file === source || file.startsWith(`${source}/`))).toBe(true);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });
});
