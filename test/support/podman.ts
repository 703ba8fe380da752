// Podman as root with the settings this machine needs (runc, cgroupfs), and a probe that says why it cannot run.
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../scripts/run-command';

/** PATH with the sbin folders, where debootstrap and the tools it calls (chroot…) live. */
const SYSTEM_PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin`;

/** The path of a system tool, looking in the sbin folders too. */
export function findTool(name: string): string | null {
  return Bun.which(name, { PATH: SYSTEM_PATH });
}

/** Podman with the global flags of every call: Debian's runc, and cgroupfs since no systemd manages cgroups here. */
const PODMAN = [findTool('podman') ?? 'podman', '--runtime', 'runc', '--cgroup-manager=cgroupfs'];

/** Runs a command to its end with the system tools on PATH and collects its output; never throws on a non-zero exit. */
export function runSystemCommand(argv: string[]): Promise<CommandResult> {
  return runCommand(argv, { env: { ...process.env, PATH: SYSTEM_PATH } });
}

/** Runs podman with the global flags. */
export function podman(args: string[]): Promise<CommandResult> {
  return runSystemCommand([...PODMAN, ...args]);
}

/** Runs podman and throws with its output if it fails; resolves with its trimmed stdout. */
export async function podmanOk(args: string[]): Promise<string> {
  const result = await podman(args);
  if (result.code !== 0)
    throw new Error(`podman ${args.join(' ')} exited ${result.code}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  return result.stdout.trim();
}

/** The last `lines` lines of a long output, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Packs `entries` of `root` into a tarball (following links when asked) and imports it as the image `tag`. */
export async function importTree(
  root: string,
  entries: string[],
  tag: string,
  workDir: string,
  options: { dereference: boolean },
): Promise<void> {
  const tarball = join(workDir, `import-${process.pid}-${Date.now()}.tar`);
  try {
    const packed = await runSystemCommand([
      'tar',
      '-C',
      root,
      '--numeric-owner',
      ...(options.dereference ? ['--dereference'] : []),
      '-cf',
      tarball,
      ...entries,
    ]);
    if (packed.code !== 0) throw new Error(`tar exited ${packed.code}: ${tail(packed.stderr)}`);
    await podmanOk(['import', tarball, tag]);
  } finally {
    rmSync(tarball, { force: true });
  }
}

const PROBE_IMAGE = 'localhost/moc-test-probe:true';

/**
 * Why podman cannot run a container here, or null when it can. Checks root, podman and debootstrap on PATH,
 * then runs `/usr/bin/true` in an image made of the host's own `true` and its libraries (so no image is pulled).
 */
export async function podmanUnavailableReason(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root: the container test runs podman as root';
  for (const tool of ['podman', 'debootstrap', 'runc'])
    if (!findTool(tool)) return `${tool} is not installed (.ci/run installs it)`;
  if (!existsSync('/usr/bin/true')) return 'no /usr/bin/true to make a probe image from';
  try {
    if ((await podman(['image', 'exists', PROBE_IMAGE])).code !== 0) {
      const ldd = await runSystemCommand(['ldd', '/usr/bin/true']);
      const libraries = [...ldd.stdout.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1]!.slice(1));
      await importTree('/', ['usr/bin/true', ...libraries], PROBE_IMAGE, tmpdir(), { dereference: true });
    }
  } catch (error) {
    return `podman cannot import an image: ${error instanceof Error ? error.message : String(error)}`;
  }
  const run = await podman(['run', '--rm', '--network', 'none', PROBE_IMAGE, '/usr/bin/true']);
  if (run.code !== 0) return `podman cannot run a container (exit ${run.code}): ${tail(run.stderr, 5)}`;
  return null;
}
