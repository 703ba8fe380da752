// Local stand-ins for the Dockerfile's base images (nothing can be pulled here), and the project image built on them.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { findTool, importTree, podman, podmanOk, runSystemCommand, tail } from './podman';

const REPO_ROOT = join(import.meta.dir, '..', '..');
/** Kept between runs on one machine: the debootstrap tree of the day (older days are removed). */
export const CACHE_DIR = '/var/tmp/mini-openclaw-container-test';
const DEBIAN_IMAGE = 'localhost/moc-test-debian';
const BUILD_IMAGE = 'localhost/moc-test-bun';
const APP_IMAGE = 'localhost/moc-test-app';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

const today = () => new Date().toISOString().slice(0, 10).replaceAll('-', '');

/** The Debian mirror apt uses on this machine (a `URIs:` or `deb` line ending in /debian), else deb.debian.org. */
export function debianMirror(): string {
  const folder = '/etc/apt/sources.list.d';
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync(folder) ? readdirSync(folder).map((name) => join(folder, name)) : []),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const match = /^(?:URIs:|deb(?:\s+\[[^\]]*\])?)\s+(https?:\/\/\S+\/debian)\/?(?:\s|$)/m.exec(
      readFileSync(file, 'utf8'),
    );
    if (match) return match[1]!;
  }
  return DEFAULT_MIRROR;
}

/** Removes the tags of `repository` other than `keep` (stand-ins of earlier days); a tag still in use stays. */
async function removeOtherTags(repository: string, keep: string): Promise<void> {
  const listed = await podman(['images', '--format', '{{.Repository}}:{{.Tag}}', repository]);
  for (const tag of listed.stdout.split('\n').map((line) => line.trim())) {
    if (tag && tag !== keep && !tag.endsWith(':<none>')) await podman(['rmi', tag]);
  }
}

/**
 * The stand-in for `debian:bookworm-slim`: `debootstrap --variant=minbase bookworm` from this machine's mirror,
 * imported with `podman import`. The tree and the image are reused for the rest of the day.
 */
export async function ensureDebianImage(): Promise<string> {
  const day = today();
  const tag = `${DEBIAN_IMAGE}:bookworm-${day}`;
  if ((await podman(['image', 'exists', tag])).code === 0) return tag;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tree = join(CACHE_DIR, `bookworm-${day}`);
  if (!existsSync(tree)) {
    // Built aside and renamed into place, so a tree under its final name is always complete.
    const work = mkdtempSync(join(CACHE_DIR, 'debootstrap-'));
    try {
      const target = join(work, 'root');
      const result = await runSystemCommand([
        findTool('debootstrap') ?? 'debootstrap',
        '--variant=minbase',
        'bookworm',
        target,
        debianMirror(),
      ]);
      if (result.code !== 0)
        throw new Error(`debootstrap exited ${result.code}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
      // Like the slim image: no downloaded packages, no package lists.
      for (const folder of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
        for (const name of readdirSync(join(target, folder)))
          if (name !== 'partial' && name !== 'lock') rmSync(join(target, folder, name), { force: true });
      }
      if (!existsSync(tree)) renameSync(target, tree);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  for (const name of readdirSync(CACHE_DIR)) {
    if (/^bookworm-\d{8}$/.test(name) && name !== `bookworm-${day}`)
      rmSync(join(CACHE_DIR, name), { recursive: true, force: true });
  }
  await importTree(tree, ['.'], tag, CACHE_DIR, { dereference: false });
  return tag;
}

/**
 * The stand-in for `oven/bun:<version>`: the Debian stand-in plus the `bun` executable of node_modules (a real file,
 * not npm's link) and this machine's CA bundle, which bun needs to reach the npm registry from here.
 */
export async function ensureBuildImage(debianTag: string): Promise<string> {
  const bun = realpathSync(join(REPO_ROOT, 'node_modules', '.bin', 'bun'));
  const registry =
    (await runSystemCommand(['npm', 'config', 'get', 'registry'])).stdout.trim() || 'https://registry.npmjs.org/';
  const key = createHash('sha256')
    .update(debianTag)
    .update(registry)
    .update(readFileSync(bun))
    .update(readFileSync(CA_BUNDLE))
    .digest('hex');
  const tag = `${BUILD_IMAGE}:${key.slice(0, 16)}`;
  if ((await podman(['image', 'exists', tag])).code === 0) return tag;
  mkdirSync(CACHE_DIR, { recursive: true });
  const context = mkdtempSync(join(CACHE_DIR, 'bun-context-'));
  try {
    copyFileSync(bun, join(context, 'bun'));
    copyFileSync(CA_BUNDLE, join(context, 'ca-certificates.crt'));
    const containerfile = [
      `FROM ${debianTag}`,
      'COPY bun /usr/local/bin/bun',
      'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      `ENV NPM_CONFIG_REGISTRY=${registry}`,
      'RUN chmod 0755 /usr/local/bin/bun && ln -s bun /usr/local/bin/bunx && bun --version',
    ];
    writeFileSync(join(context, 'Containerfile'), `${containerfile.join('\n')}\n`);
    await podmanOk(['build', '--pull=never', '--network', 'host', '-t', tag, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  await removeOtherTags(BUILD_IMAGE, tag);
  await removeOtherTags(DEBIAN_IMAGE, debianTag);
  return tag;
}

const imageId = async (reference: string) =>
  (await podman(['image', 'inspect', '--format', '{{.Id}}', reference])).stdout.trim();
const appTag = (stage: string, run?: number) => `${APP_IMAGE}:${stage}${run === undefined ? '' : `-${run}`}`;

/**
 * Builds the repository's Dockerfile on the stand-ins, each stage under this run's own tag (what the test runs),
 * in Docker format (OCI drops HEALTHCHECK), with the host's network so `bun install` and `apt-get` reach the
 * registries. The last build of each stage keeps a shared tag, so the next run reuses its layers; the one it
 * replaces is removed once no run holds it, so images do not pile up.
 */
export async function buildProjectImage(bases: { build: string; runtime: string }): Promise<string> {
  for (const stage of ['build', 'runtime']) {
    const ours = appTag(stage, process.pid);
    await podmanOk([
      'build',
      '--pull=never',
      '--network',
      'host',
      '--format',
      'docker',
      '--target',
      stage,
      '--build-arg',
      `BUILD_IMAGE=${bases.build}`,
      '--build-arg',
      `RUNTIME_IMAGE=${bases.runtime}`,
      '-t',
      ours,
      '-f',
      join(REPO_ROOT, 'Dockerfile'),
      REPO_ROOT,
    ]);
    const previous = await imageId(appTag(stage));
    await podmanOk(['tag', ours, appTag(stage)]);
    const untagged =
      previous && (await podman(['image', 'inspect', '--format', '{{len .RepoTags}}', previous])).stdout.trim() === '0';
    if (untagged && previous !== (await imageId(ours))) await podman(['rmi', previous]);
  }
  return appTag('runtime', process.pid);
}

/** Drops this run's tags; an image no longer the last build is removed with them. */
export async function releaseProjectImage(): Promise<void> {
  for (const stage of ['build', 'runtime']) {
    const ours = appTag(stage, process.pid);
    const id = await imageId(ours);
    if (id && id === (await imageId(appTag(stage)))) await podman(['untag', id, ours]);
    else await podman(['rmi', ours]);
  }
}
