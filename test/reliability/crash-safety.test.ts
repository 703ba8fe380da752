// SIGKILL the compiled binary in the middle of concurrent writes; after a restart every acknowledged
// write is there, nothing is half-written, every database passes integrity_check, live runs are interrupted.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { Database } from 'bun:sqlite';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTemporaryName } from '../../src/shared/atomic-write';
import { callBinary as call, cleanEnv, sharedBinary, startBinary } from '../support/compiled-binary';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../support/fake-openai-server';
import { makeTempDir, type TempDir } from '../support/temp-dir';

const HOT_FILE_SIZE = 256 * 1024;

function filesUnder(root: string, keep: (name: string) => boolean): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('crash safety', () => {
  let temp: TempDir;
  let model: FakeOpenAiServer;
  let binary: string;
  beforeAll(async () => {
    temp = makeTempDir('crash-');
    binary = await sharedBinary();
    model = await startFakeOpenAiServer();
    // Replies slow enough that some runs are still streaming when the process dies.
    // Streamed turns ('slow stream …') outlast the test by far, so they are surely live when the process dies.
    model.setFallback((body) => {
      if (!body.stream) return { kind: 'text', text: 'Crash test' };
      const slow = JSON.stringify(body.messages).includes('slow stream');
      return slow
        ? { kind: 'text', text: 'part '.repeat(2000), chunkSize: 5, delayMs: 20 }
        : { kind: 'text', text: 'part '.repeat(60), chunkSize: 5, delayMs: 4 };
    });
  }, 60_000);
  afterAll(async () => {
    await model.stop();
    temp[Symbol.dispose]();
  });

  it('keeps every acknowledged write across a SIGKILL mid-load', async () => {
    const dataDir = join(temp.path, 'data');
    const env = cleanEnv({
      LLM_BASE_URL: model.baseUrl,
      LLM_MODEL: 'fake-model',
      LLM_API_KEY: 'k',
      APP_RATE_LIMIT_ENABLED: 'false',
      APP_LOG_LEVEL: 'error',
    });
    const start = () => startBinary(binary, { cwd: temp.path, args: ['--port', '0', '--data-dir', dataDir], env });
    let server = await start();

    const acked = {
      sessions: [] as { id: string; title: string }[],
      chats: [] as { sessionId: string; message: string }[],
      files: [] as { path: string; content: string }[],
    };
    const renames = new Map<string, { sent: string[]; acked: number }>();
    const hot = { sent: [] as string[], acked: -1 };
    const config = { sent: [] as number[], acked: -1 };
    const streams: string[] = [];
    const jobs = new Map<string, { sent: string[]; acked: number }>();
    let cronRun: { jobId: string; runId: string } | undefined;
    let running = true;
    const loop = async (body: (n: number) => Promise<void>) => {
      for (let n = 0; running; n++) await body(n).catch(() => undefined);
    };
    const writers = [
      loop(async (n) => {
        const title = `session ${n}`;
        const answer = await call(server, 'POST', '/api/sessions', { title });
        if (answer.status === 200) acked.sessions.push({ id: answer.body.data.session_id, title });
      }),
      loop(async (n) => {
        const target = acked.sessions[n % Math.max(1, acked.sessions.length)];
        if (!target) return void (await Bun.sleep(1));
        const log = renames.get(target.id) ?? { sent: [], acked: -1 };
        renames.set(target.id, log);
        const index = log.sent.push(`renamed ${n}`) - 1;
        if ((await call(server, 'PUT', `/api/sessions/${target.id}`, { title: log.sent[index] })).status === 200)
          log.acked = Math.max(log.acked, index);
      }),
      loop(async (n) => {
        const content = `note ${n}\n${'x'.repeat(n % 7 === 0 ? 100_000 : 200)}\nend ${n}\n`;
        if ((await call(server, 'POST', '/api/files', { path: `memory/crash-${n}.md`, content })).status === 200)
          acked.files.push({ path: `memory/crash-${n}.md`, content });
      }),
      loop(async (n) => {
        const index = hot.sent.push(`hot ${n} `.padEnd(HOT_FILE_SIZE, String(n % 10))) - 1;
        if (
          (await call(server, 'POST', '/api/files', { path: 'knowledge/hot.md', content: hot.sent[index] })).status ===
          200
        )
          hot.acked = index;
      }),
      loop(async (n) => {
        const index = config.sent.push(5 + (n % 900)) - 1;
        const answer = await call(server, 'PUT', '/api/config/runtime', {
          config: { agent_runtime: { max_steps: config.sent[index] } },
        });
        if (answer.status === 200) config.acked = index;
      }),
      loop(async (n) => {
        const created = await call(server, 'POST', '/api/scheduler/cron/jobs', {
          name: `job ${n}`,
          schedule_type: 'every',
          schedule: '3600',
          prompt: `prompt ${n}.0`,
        });
        if (created.status !== 200) return;
        const log = { sent: [`prompt ${n}.0`], acked: 0 };
        jobs.set(created.body.data.job.id, log);
        for (let edit = 1; edit <= 2 && running; edit++) {
          const index = log.sent.push(`prompt ${n}.${edit}`) - 1;
          const updated = await call(server, 'PUT', `/api/scheduler/cron/jobs/${created.body.data.job.id}`, {
            prompt: log.sent[index],
          });
          if (updated.status === 200) log.acked = index;
        }
      }),
      (async () => {
        // One scheduled run that is still talking to the model when the process dies.
        const job = await call(server, 'POST', '/api/scheduler/cron/jobs', {
          name: 'slow',
          schedule_type: 'every',
          schedule: '3600',
          prompt: 'slow stream from cron',
        });
        const started = await call(server, 'POST', `/api/scheduler/cron/jobs/${job.body.data.job.id}/run`);
        cronRun = { jobId: job.body.data.job.id, runId: started.body.data.run.id };
      })(),
      ...[0, 1].map(() =>
        loop(async (n) => {
          const created = await call(server, 'POST', '/api/sessions', { title: `chat ${n}` });
          const message = `question ${n} ${crypto.randomUUID()}`;
          const answer = await call(server, 'POST', '/api/chat', {
            session_id: created.body.data.session_id,
            message,
            stream: false,
          });
          if (answer.status === 200) acked.chats.push({ sessionId: created.body.data.session_id, message });
        }),
      ),
      loop(async (n) => {
        const created = await call(server, 'POST', '/api/sessions', { title: `stream ${n}` });
        streams.push(created.body.data.session_id);
        const response = await fetch(`${server.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session_id: created.body.data.session_id, message: `slow stream ${n}` }),
        });
        await response.text();
      }),
    ];
    // Kill once every kind of write has been acknowledged a few times and a stream's live snapshot is stored.
    const deadline = Date.now() + 30_000;
    let live: string | undefined;
    let cronRunning = false;
    while (
      !(
        acked.sessions.length >= 20 &&
        acked.files.length >= 10 &&
        hot.acked >= 3 &&
        config.acked >= 5 &&
        acked.chats.length >= 4 &&
        jobs.size >= 5 &&
        live &&
        cronRunning
      )
    ) {
      if (Date.now() > deadline) throw new Error('writers did not get going');
      if (!live && streams[0]) {
        const history = (await call(server, 'GET', `/api/sessions/${streams[0]}/history`)).body.data.messages as any[];
        if (history.some((message) => message.streaming)) live = streams[0];
      }
      if (!cronRunning && cronRun) {
        const runs = (await call(server, 'GET', '/api/scheduler/cron/runs')).body.data.runs as {
          id: string;
          status: string;
        }[];
        cronRunning = runs.some((run) => run.id === cronRun!.runId && run.status === 'running');
      }
      await Bun.sleep(10);
    }
    server.child.kill('SIGKILL');
    await server.child.exited;
    running = false;
    await Promise.all(writers);

    for (const path of filesUnder(dataDir, (name) => name.endsWith('.db'))) {
      using db = new Database(path);
      expect({ path, check: db.query('PRAGMA integrity_check').get() }).toEqual({
        path,
        check: { integrity_check: 'ok' },
      });
    }
    server = await start();
    try {
      const sessions = (await call(server, 'GET', '/api/sessions?scope=all')).body.data as {
        session_id: string;
        title: string;
      }[];
      const byId = new Map(sessions.map((session) => [session.session_id, session.title]));
      for (const session of acked.sessions) {
        const log = renames.get(session.id);
        const allowed = log && log.acked >= 0 ? log.sent.slice(log.acked) : [session.title, ...(log?.sent ?? [])];
        expect({ id: session.id, title: allowed.includes(byId.get(session.id)!) }).toEqual({
          id: session.id,
          title: true,
        });
      }
      for (const file of acked.files)
        expect(readFileSync(join(dataDir, 'workspaces', 'default', file.path), 'utf8')).toBe(file.content);
      const hotNow = readFileSync(join(dataDir, 'workspaces', 'default', 'knowledge', 'hot.md'), 'utf8');
      expect(hot.sent.slice(hot.acked).includes(hotNow)).toBe(true);
      const effective = (await call(server, 'GET', '/api/config/runtime')).body.data.config;
      expect(config.sent.slice(config.acked).includes(effective.agent_runtime.max_steps)).toBe(true);
      for (const chat of acked.chats) {
        const history = (await call(server, 'GET', `/api/sessions/${chat.sessionId}/history`)).body.data
          .messages as any[];
        expect(history.map((message) => message.role)).toEqual(['user', 'assistant']);
        expect(history[0].content).toBe(chat.message);
      }
      // A run that was streaming when the process died is no longer live; its partial reply, if any, is marked.
      for (const sessionId of streams) {
        const history = (await call(server, 'GET', `/api/sessions/${sessionId}/history`)).body.data.messages as any[];
        expect(history.some((message) => message.streaming)).toBe(false);
        for (const message of history.filter((message) => message.role === 'assistant'))
          expect([undefined, 'interrupted']).toContain(message.status);
      }
      const storedJobs = (await call(server, 'GET', '/api/scheduler/cron/jobs')).body.data.jobs as {
        id: string;
        prompt: string;
      }[];
      const jobById = new Map(storedJobs.map((job) => [job.id, job.prompt]));
      for (const [id, log] of jobs)
        expect({ id, prompt: log.sent.slice(log.acked).includes(jobById.get(id)!) }).toEqual({ id, prompt: true });
      const runsAfter = (await call(server, 'GET', '/api/scheduler/cron/runs')).body.data.runs as {
        id: string;
        status: string;
      }[];
      expect(runsAfter.find((run) => run.id === cronRun!.runId)?.status).toBe('interrupted');
      const interrupted = (await call(server, 'GET', `/api/sessions/${live}/history`)).body.data.messages as any[];
      expect(interrupted.map((message) => [message.role, message.status])).toEqual([
        ['user', undefined],
        ['assistant', 'interrupted'],
      ]);
      expect(interrupted[1].content).toStartWith('part part');
      expect(filesUnder(dataDir, isTemporaryName)).toEqual([]);
      console.log(
        `crash safety: ${acked.sessions.length} sessions, ${acked.files.length} files, ${hot.acked + 1} hot-file and ${config.acked + 1} config writes, ${acked.chats.length} chats, ${jobs.size} cron jobs acknowledged; ${streams.length} streams started; all found after SIGKILL`,
      );
    } finally {
      await server.stop();
    }
  }, 90_000);
});
