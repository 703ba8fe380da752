// Path-valued config: `retrieval.storage.db_path` stays inside the agent's storage/ and never names a file the server owns.
import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isServerOwnedStorageName } from '../../src/shared/agent-storage';
import { startChatFixture } from '../support/chat-fixture';
import { readSse } from '../support/sse-client';
import { createJob } from '../support/scheduler-fixture';
import { startTestServer, type TestServer } from '../support/start-test-server';
import { makeTempDir } from '../support/temp-dir';

const FIELD = 'config.retrieval.storage.db_path';

const HOSTILE = (outside: string) => [
  `${outside}/x.db`,
  '../x.db',
  'storage/../../x.db',
  'storage/../config.json',
  './storage/../memory/x.db',
  'storage/agent.db',
  'storage/agent.db-wal',
  'storage/agent.db-journal',
  'storage/retrieval.db-shm',
  'storage/x.db.bulk-build',
  '/dev/null',
  'storage/tool_audit.jsonl',
  'storage/tool_audit.jsonl.1',
  'storage/cron_runs.jsonl',
  'storage/cron_failures.jsonl.2',
  'storage/heartbeat_runs.jsonl',
  'storage/memory_index',
  'storage/knowledge_index',
  'storage/',
  'storage',
  'storage/.',
  'storage/sub/x.db',
  'memory/x.db',
  'x.db',
  'storage/.hidden.db',
  'storage/a\\b.db',
  'storage/x\u0000.db',
  `storage/${'a'.repeat(250)}.db`,
  '',
  'storage/'.padEnd(5000, 'x'),
];

async function search(server: TestServer) {
  return server.json('GET', '/api/retrieval/search?domain=memory&q=espresso');
}

describe('retrieval.storage.db_path', () => {
  it('PUT refuses every value outside storage/ or naming a file the server owns: 422 naming the field, config and folders untouched', async () => {
    await using server = await startTestServer();
    const agentRoot = join(server.dataDir, 'workspaces', 'default');
    const agentConfig = join(agentRoot, 'config.json');
    const before = readFileSync(agentConfig, 'utf8');
    const storageBefore = readdirSync(join(agentRoot, 'storage')).sort();
    const aboveBefore = readdirSync(join(server.dataDir, 'workspaces')).sort();
    for (const value of HOSTILE(server.dataDir)) {
      const response = await server.json('PUT', '/api/config/runtime', {
        config: { retrieval: { storage: { db_path: value } } },
      });
      expect({ value, status: response.status, code: response.body.error?.code }).toEqual({
        value,
        status: 422,
        code: 'validation_error',
      });
      expect(response.body.error.details.items.map((item: { field: string }) => item.field)).toEqual([FIELD]);
      expect(readFileSync(agentConfig, 'utf8')).toBe(before);
    }
    // Engine json derives a sibling name: a db_path whose `.json` sibling is the server's is refused too.
    const json = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { engine: 'json', db_path: 'storage/agent.db.db' } } },
    });
    expect(json.status).toBe(422);
    // And SQLite never opens the json engine's file.
    const sqlite = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { engine: 'sqlite', db_path: 'storage/retrieval.json' } } },
    });
    expect(sqlite.body.error.details.items.map((item: { field: string }) => item.field)).toEqual([FIELD]);
    expect((await search(server)).status).toBe(200);
    expect(readdirSync(join(agentRoot, 'storage')).sort()).toEqual(storageBefore);
    expect(readdirSync(join(server.dataDir, 'workspaces')).sort()).toEqual(aboveBefore);
    expect(existsSync(join(server.dataDir, 'x.db'))).toBe(false);
    expect(existsSync(join(agentRoot, 'x.db'))).toBe(false);
  });

  it('PUT refuses a name that exists in storage/ as something other than a regular file', async () => {
    await using server = await startTestServer();
    mkdirSync(join(server.dataDir, 'workspaces', 'default', 'storage', 'folder.db'));
    const response = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { db_path: 'storage/folder.db' } } },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.details.items).toEqual([
      { field: FIELD, message: expect.stringContaining('not a regular file'), code: 'value_error' },
    ]);
  });

  it('accepts a plain name inside storage/ (normalised) and the index moves there', async () => {
    await using server = await startTestServer();
    const storage = join(server.dataDir, 'workspaces', 'default', 'storage');
    const saved = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { db_path: './storage//other-index.db' } } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.data.config.retrieval.storage.db_path).toBe('storage/other-index.db');
    expect((await search(server)).status).toBe(200);
    expect(existsSync(join(storage, 'other-index.db'))).toBe(true);
    const json = await server.json('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { engine: 'json' } } },
    });
    expect(json.status).toBe(200);
    expect((await search(server)).status).toBe(200);
    await server.deps.retrieval.idle();
    expect(existsSync(join(storage, 'other-index.json'))).toBe(true);
  });

  it('a hand-edited agent config.json with a bad db_path is refused: the last good config stays and retrieval answers', async () => {
    await using server = await startTestServer();
    const agentConfig = join(server.dataDir, 'workspaces', 'default', 'config.json');
    for (const value of ['/dev/null', 'storage/agent.db', '../x.db', 'storage/']) {
      writeFileSync(agentConfig, JSON.stringify({ retrieval: { storage: { db_path: value } } }));
      const config = await server.json('GET', '/api/config/runtime');
      expect({ value, db_path: config.body.data.config.retrieval.storage.db_path }).toEqual({
        value,
        db_path: 'storage/retrieval.db',
      });
      const response = await search(server);
      expect({ value, status: response.status }).toEqual({ value, status: 200 });
    }
    expect(existsSync(join(server.dataDir, 'workspaces', 'x.db'))).toBe(false);
  });

  it('a hand-edited global config.json with a bad db_path is refused at runtime (last good kept) and at start (named)', async () => {
    using dir = makeTempDir('moc-data-');
    await using server = await startTestServer({ dataDir: dir.path });
    const globalPath = join(server.dataDir, 'config.json');
    const good = JSON.parse(readFileSync(globalPath, 'utf8'));
    writeFileSync(
      globalPath,
      JSON.stringify({
        ...good,
        retrieval: { ...good.retrieval, storage: { ...good.retrieval.storage, db_path: '/dev/null' } },
      }),
    );
    expect((await server.json('GET', '/api/config/runtime')).body.data.config.retrieval.storage.db_path).toBe(
      'storage/retrieval.db',
    );
    expect((await search(server)).status).toBe(200);
    await server.stop();
    await expect(startTestServer({ dataDir: server.dataDir })).rejects.toThrow('retrieval.storage.db_path');
  });
});

describe('the list of files the server keeps in storage/', () => {
  it('names every file a busy agent leaves there besides the retrieval index', async () => {
    await using fixture = await startChatFixture();
    const { server, model } = fixture;
    await server.json('PUT', '/api/config/runtime', { config: { agent_runtime: { max_retries: 0 } } });
    const sessionId = await fixture.newSession();
    model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/AGENTS.md' } }] },
      { kind: 'text', text: 'Read it.' },
      { kind: 'text', text: 'Title' },
    );
    await readSse(await fixture.chat({ message: 'read', session_id: sessionId }));
    const job = await createJob(server, { schedule_type: 'every', schedule: '3600' });
    model.enqueue({ kind: 'text', text: 'Digest.' });
    expect((await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`)).status).toBe(200);
    model.enqueue({ kind: 'error', status: 400 });
    await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`);
    await server.json('POST', '/api/scheduler/heartbeat/run');
    const storage = readdirSync(join(server.dataDir, 'workspaces', 'default', 'storage'));
    for (const log of [
      'tool_audit.jsonl',
      'cron_runs.jsonl',
      'cron_failures.jsonl',
      'heartbeat_runs.jsonl',
      'agent.db',
    ])
      expect(storage).toContain(log);
    const index = new Set(['retrieval.db', 'retrieval.db-wal', 'retrieval.db-shm']);
    expect(storage.filter((name) => !index.has(name) && !isServerOwnedStorageName(name))).toEqual([]);
  });
});
