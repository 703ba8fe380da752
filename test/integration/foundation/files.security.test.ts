import { describe, expect, it } from 'bun:test';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

interface Fixture {
  server: TestServer;
  agentRoot: string;
  outside: string;
}

/** Plants links an attacker (or a careless tool) could leave in the agent folder. */
function plantLinks(server: TestServer, outside: string): string {
  const agentRoot = join(server.dataDir, 'workspaces', 'default');
  writeFileSync(join(outside, 'secret.txt'), 'outside secret');
  symlinkSync(outside, join(agentRoot, 'memory', 'escape'));
  symlinkSync(join(outside, 'secret.txt'), join(agentRoot, 'memory', 'secret-link.md'));
  symlinkSync(join(outside, 'not-there-yet.md'), join(agentRoot, 'memory', 'dangling.md'));
  symlinkSync(join(agentRoot, 'storage'), join(agentRoot, 'workspace', 'db'));
  symlinkSync(join(agentRoot, 'config.json'), join(agentRoot, 'workspace', 'config-link.json'));
  symlinkSync(server.dataDir, join(agentRoot, 'knowledge', 'up'));
  return agentRoot;
}

/** Every way out of the agent's file areas we know of; `status` is the answer both GET and POST must give. */
function escapeCorpus(outside: string): { path: string; status: number }[] {
  const forbidden = [
    '../x',
    '../../config.json',
    'memory/../../x',
    'memory/../config.json',
    '/etc/passwd',
    join(outside, 'victim.txt'),
    'memory/a\\b',
    'memory\\..\\..\\config.json',
    'memory/a\0b',
    'storage/agent.db',
    './storage/agent.db',
    'config.json',
    'sessions/x',
    '   ',
    'C:/x',
    'c:\\windows\\win.ini',
    '~/.ssh/authorized_keys',
    '..%2Fx',
    'knowledge/../../../etc/passwd',
    'skills/../storage/agent.db',
    'workspace/./../config.json',
    'SKILLS_SNAPSHOT.md/../config.json',
    'memory',
    'workspace/',
    'memory/escape/secret.txt',
    'memory/escape/victim.txt',
    'memory/secret-link.md',
    'memory/dangling.md',
    'workspace/db/agent.db',
    'workspace/config-link.json',
    'knowledge/up/config.json',
    'knowledge/up/workspaces/default/storage/agent.db',
    'memory//escape/victim.txt',
  ];
  return [
    { path: '', status: 422 },
    { path: `memory/${'a'.repeat(1100)}.md`, status: 422 },
    ...forbidden.map((path) => ({ path, status: 403 })),
  ];
}

/** Every file and folder under `roots` with type, size, mtime and a content hash: any write shows up. */
function snapshot(...roots: string[]): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string) => {
    const stat = lstatSync(path);
    const kind = stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : 'file';
    const hash = kind === 'file' ? createHash('sha256').update(readFileSync(path)).digest('hex') : '';
    entries[path] = `${kind}:${stat.size}:${stat.mtimeMs}:${hash}`;
    if (kind === 'dir') for (const name of readdirSync(path)) walk(join(path, name));
  };
  for (const root of roots) walk(root);
  return entries;
}

function expectRefusal(path: string, status: number, response: { status: number; body: any }) {
  const code = status === 422 ? 'validation_error' : 'forbidden_path';
  expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({ path, status, code });
  expect(response.body.error.request_id).toEqual(expect.any(String));
  if (status === 403) expect(response.body.error.details.path).toBe(path.trim());
}

async function withFixture(test: (fixture: Fixture) => Promise<void>) {
  using outsideDir = makeTempDir('moc-outside-');
  await using server = await startTestServer();
  const agentRoot = plantLinks(server, outsideDir.path);
  await test({ server, agentRoot, outside: outsideDir.path });
}

describe('GET /api/files', () => {
  it('refuses every path that leaves the file areas with a 4xx envelope', async () => {
    await withFixture(async ({ server, outside }) => {
      for (const { path, status } of escapeCorpus(outside)) {
        expectRefusal(path, status, await server.json('GET', `/api/files?path=${encodeURIComponent(path)}`));
      }
    });
  });

  it('refuses traversal that arrives url-encoded in the query string', async () => {
    await withFixture(async ({ server }) => {
      for (const [query, decoded] of [
        ['..%2Fx', '../x'],
        ['%2e%2e/config.json', '../config.json'],
        ['memory%2F..%2F..%2Fconfig.json', 'memory/../../config.json'],
        ['memory/%2E%2E/%2E%2E/config.json', 'memory/../../config.json'],
        ['memory/a%00b', 'memory/a\0b'],
        ['memory%5C..%5Cx', 'memory\\..\\x'],
      ] as const) {
        expectRefusal(decoded, 403, await server.json('GET', `/api/files?path=${query}`));
      }
    });
  });

  it('still reads ordinary files next to the planted links', async () => {
    await withFixture(async ({ server }) => {
      expect((await server.json('GET', '/api/files?path=memory/MEMORY.md')).status).toBe(200);
      expect((await server.json('GET', '/api/files?path=./memory//MEMORY.md')).status).toBe(200);
    });
  });
});

describe('POST /api/files', () => {
  it('refuses every path that leaves the file areas and writes nothing anywhere', async () => {
    await withFixture(async ({ server, outside }) => {
      const before = snapshot(server.dataDir, outside);
      for (const { path, status } of escapeCorpus(outside)) {
        expectRefusal(path, status, await server.json('POST', '/api/files', { path, content: 'pwned' }));
      }
      expect(snapshot(server.dataDir, outside)).toEqual(before);
    });
  });

  it('refuses a non-string or missing path with 422 and writes nothing', async () => {
    await withFixture(async ({ server, outside }) => {
      const before = snapshot(server.dataDir, outside);
      for (const body of [
        { content: 'x' },
        { path: ['memory', 'x.md'], content: 'x' },
        { path: 'memory/x.md' },
        { path: 'memory/x.md', content: 7 },
      ]) {
        const response = await server.json('POST', '/api/files', body);
        expect(response.status).toBe(422);
        expect(response.body.error.code).toBe('validation_error');
      }
      expect(snapshot(server.dataDir, outside)).toEqual(before);
    });
  });
});

describe('GET /api/files/index', () => {
  it('does not follow links out of the file areas', async () => {
    await withFixture(async ({ server }) => {
      const files: string[] = (await server.json('GET', '/api/files/index')).body.data.files;
      expect(
        files.filter(
          (file) => file.includes('escape') || file.includes('secret') || file.includes('up/') || file.includes('db/'),
        ),
      ).toEqual([]);
    });
  });
});
