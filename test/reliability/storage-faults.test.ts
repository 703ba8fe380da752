// A full or read-only data folder: every write route says so (507 / 503 in the envelope), nothing is half-written,
// /api/ready reports it while /api/health stays up, and the server recovers by itself. Needs root (mount).
import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isTemporaryName } from '../../src/shared/atomic-write';
import { startChatFixture, type ChatFixture } from '../support/chat-fixture';
import { fillDisk, onSmallDisk, run, unmount } from '../support/disk-mounts';
import { waitFor } from '../support/scheduler-fixture';
import { readSse } from '../support/sse-client';
import { makeTempDir } from '../support/temp-dir';

/** Every file and folder under `root` (relative), to compare before and after. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true }).map(String).sort();
}

type Json = { status: number; body: any };

const MESSAGES: Record<string, string> = {
  disk_full: 'No space left in the data folder',
  read_only: 'The data folder is read-only',
};

/** The agent's database, as a SQLite fault names it (relative to the data folder). */
const AGENT_DB = 'workspaces/default/storage/agent.db';

/** A fault of the data folder: `folder` names where a file write failed, `file` the database of a SQLite one. */
function expectFault(
  response: Json,
  status: number,
  code: string,
  reason: string,
  where: { folder?: string; file?: string } = {},
): void {
  const { folder, file } = where;
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    error: {
      code,
      message: folder ? `${MESSAGES[reason]}: ${folder}` : MESSAGES[reason],
      details: { reason, ...(folder ? { folder } : {}), ...(file ? { file } : {}) },
      request_id: expect.any(String),
    },
  });
}

async function snapshot(fixture: ChatFixture, dataDir: string, sessionId: string) {
  const { server } = fixture;
  return {
    sessions: (await server.json('GET', '/api/sessions')).body.data,
    history: (await server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages,
    jobs: (await server.json('GET', '/api/scheduler/cron/jobs')).body.data.jobs,
    agents: (await server.json('GET', '/api/agents')).body.data.map((agent: { agent_id: string }) => agent.agent_id),
    config: readFileSync(join(dataDir, 'workspaces', 'default', 'config.json'), 'utf8'),
    files: tree(dataDir).filter((path) => !path.includes('storage')),
  };
}

async function waitForReady(fixture: ChatFixture, status: number): Promise<Json> {
  return waitFor(async () => {
    const response = await fixture.server.json('GET', '/api/ready');
    return response.status === status ? response : undefined;
  });
}

describe('storage faults', () => {
  it('a full disk: every write route answers 507 insufficient_storage, nothing is half-written, and the server recovers', async () => {
    await onSmallDisk('moc-full-', async (mount) => {
      const dataDir = join(mount, 'data');
      await using fixture = await startChatFixture({ dataDir });
      const { server } = fixture;
      const sessionId = await fixture.newSession();
      expect((await server.json('POST', '/api/files', { path: 'knowledge/keep.md', content: 'old' })).status).toBe(200);
      await server.deps.retrieval.idle();
      const before = await snapshot(fixture, dataDir, sessionId);
      fillDisk(join(mount, 'filler'));

      expect((await waitForReady(fixture, 503)).body).toEqual({
        status: 'not_ready',
        code: 'insufficient_storage',
        reason: 'No space left in the data folder',
        details: { sandbox: expect.any(Object), llm: expect.any(Object) },
      });
      expect((await server.json('GET', '/api/health')).status).toBe(200);
      const knowledge = 'workspaces/default/knowledge';
      expectFault(
        await server.json('POST', '/api/files', { path: 'knowledge/new.md', content: 'x'.repeat(10_000) }),
        507,
        'insufficient_storage',
        'disk_full',
        { folder: knowledge },
      );
      expectFault(
        await server.json('POST', '/api/files', { path: 'knowledge/keep.md', content: 'new'.repeat(10_000) }),
        507,
        'insufficient_storage',
        'disk_full',
        { folder: knowledge },
      );
      expectFault(
        await server.json('POST', '/api/sessions', { title: 'Trip' }),
        507,
        'insufficient_storage',
        'disk_full',
        { file: AGENT_DB },
      );
      expectFault(
        await server.json('PUT', `/api/sessions/${sessionId}`, { title: 'Renamed' }),
        507,
        'insufficient_storage',
        'disk_full',
        { file: AGENT_DB },
      );
      expectFault(
        await server.json('PUT', '/api/config/runtime', { config: { rag_mode: true } }),
        507,
        'insufficient_storage',
        'disk_full',
        { folder: 'workspaces/default' },
      );
      expectFault(
        await server.json('POST', '/api/scheduler/cron/jobs', {
          prompt: 'p',
          schedule_type: 'every',
          schedule: '3600',
        }),
        507,
        'insufficient_storage',
        'disk_full',
        { file: AGENT_DB },
      );
      const agent = await server.json('POST', '/api/agents', { agent_id: 'other' });
      expect(agent.status).toBe(507);
      expect(agent.body.error.code).toBe('insufficient_storage');
      const streamed = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
      expect(streamed.map((event) => event.event)).toEqual(['error']);
      // The error names its run, as its event id does (it used to carry an empty run_id).
      expect(streamed[0]!.data).toEqual({
        error: 'No space left in the data folder',
        run_id: streamed[0]!.id!.split(':')[0],
        attempt: 1,
        code: 'insufficient_storage',
      });
      expectFault(
        await server.json('POST', '/api/chat', { message: 'hello', session_id: sessionId, stream: false }),
        507,
        'insufficient_storage',
        'disk_full',
        { file: AGENT_DB },
      );

      rmSync(join(mount, 'filler'));
      expect(await snapshot(fixture, dataDir, sessionId)).toEqual(before);
      expect(readFileSync(join(dataDir, knowledge, 'keep.md'), 'utf8')).toBe('old');
      expect(tree(dataDir).filter((path) => isTemporaryName(path.split('/').at(-1)!))).toEqual([]);

      expect((await waitForReady(fixture, 200)).body).toEqual({
        status: 'ready',
        details: { sandbox: expect.any(Object), llm: expect.any(Object) },
      });
      expect((await server.json('POST', '/api/files', { path: 'knowledge/new.md', content: 'x' })).status).toBe(200);
      expect((await server.json('POST', '/api/sessions', { title: 'Trip' })).status).toBe(200);
      expect((await server.json('PUT', `/api/sessions/${sessionId}`, { title: 'Renamed' })).status).toBe(200);
      expect((await server.json('PUT', '/api/config/runtime', { config: { rag_mode: true } })).status).toBe(200);
      expect(
        (
          await server.json('POST', '/api/scheduler/cron/jobs', {
            prompt: 'p',
            schedule_type: 'every',
            schedule: '3600',
          })
        ).status,
      ).toBe(200);
      expect((await server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
      expect(
        (await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }))).map((event) => event.event),
      ).toContain('done');
    });
  }, 60_000);

  it('a read-only data folder: file writes answer 503 storage_unavailable naming the folder, /api/ready says why, both recover', async () => {
    using dir = makeTempDir('moc-ro-');
    const dataDir = join(dir.path, 'data');
    await using fixture = await startChatFixture({ dataDir });
    const { server } = fixture;
    const sessionId = await fixture.newSession();
    await server.deps.retrieval.idle();
    const before = await snapshot(fixture, dataDir, sessionId);
    // A read-only bind over the folder after start: root ignores chmod, and a remount would be busy with the open databases.
    const refused = run('mount', '--bind', dataDir, dataDir) ?? run('mount', '-o', 'remount,ro,bind', dataDir);
    if (refused) {
      unmount(dataDir);
      console.warn(`skipped: a read-only bind mount is needed (${refused})`);
      return;
    }
    try {
      expect((await waitForReady(fixture, 503)).body).toEqual({
        status: 'not_ready',
        code: 'storage_unavailable',
        reason: 'The data folder is read-only',
        details: { sandbox: expect.any(Object), llm: expect.any(Object) },
      });
      expect((await server.json('GET', '/api/health')).status).toBe(200);
      expectFault(
        await server.json('POST', '/api/files', { path: 'knowledge/new.md', content: 'x' }),
        503,
        'storage_unavailable',
        'read_only',
        { folder: 'workspaces/default/knowledge' },
      );
      expectFault(
        await server.json('POST', '/api/files', { path: 'memory/MEMORY.md', content: 'x' }),
        503,
        'storage_unavailable',
        'read_only',
        { folder: 'workspaces/default/memory' },
      );
      expectFault(
        await server.json('PUT', '/api/config/runtime', { config: { rag_mode: true } }),
        503,
        'storage_unavailable',
        'read_only',
        { folder: 'workspaces/default' },
      );
      const agent = await server.json('POST', '/api/agents', { agent_id: 'other' });
      expect(agent.status).toBe(503);
      expect(agent.body.error.code).toBe('storage_unavailable');
      expect(await snapshot(fixture, dataDir, sessionId)).toEqual(before);
      // The databases were opened before the folder turned read-only: their open handles still write, so this is kept.
      expect((await server.json('POST', '/api/sessions', { title: 'Kept' })).status).toBe(200);
    } finally {
      unmount(dataDir);
    }
    expect((await waitForReady(fixture, 200)).body).toEqual({
      status: 'ready',
      details: { sandbox: expect.any(Object), llm: expect.any(Object) },
    });
    expect((await server.json('POST', '/api/files', { path: 'knowledge/new.md', content: 'x' })).status).toBe(200);
    expect((await server.json('PUT', '/api/config/runtime', { config: { rag_mode: true } })).status).toBe(200);
    expect((await server.json('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
  }, 60_000);
});
