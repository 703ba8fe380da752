// The compiled binary's second entry point, the model worker: it runs from inside the binary, never from the checkout.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary, cleanEnv, startBinary, waitForStatus } from '../../support/compiled-binary';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { readSse } from '../../support/sse-client';
import { makeTempDir, type TempDir } from '../../support/temp-dir';

let buildDir: TempDir;
let binary: string;

beforeAll(async () => {
  buildDir = makeTempDir('moc-build-workers-');
  binary = join(buildDir.path, 'mini-openclaw');
  await buildBinary(binary);
}, 120_000);

afterAll(() => buildDir?.[Symbol.dispose]());

/** Resolves once `done` holds, checking at each turn of the event loop's timers; throws after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

describe('compiled binary, model workers', () => {
  it('warms and runs a turn with a tool call on a model worker (APP_MODEL_WORKERS=1)', async () => {
    await using model = await startFakeOpenAiServer();
    using folder = makeTempDir('moc-run-workers-');
    const server = await startBinary(binary, {
      cwd: folder.path,
      args: ['--port', '0'],
      env: cleanEnv({
        APP_LOG_LEVEL: 'debug',
        LLM_BASE_URL: model.baseUrl,
        LLM_MODEL: 'gpt-4o-mini',
        LLM_API_KEY: 'test-key',
        APP_MODEL_WORKERS: '1',
      }),
    });
    try {
      await waitForStatus(`${server.url}/api/health`);
      // Warming plays its turns on the worker: wait for it to end, well or not.
      await until(() => /turn code paths warmed|warming .*failed/.test(server.stderr()), 'warming to end');
      const session = (await (await fetch(`${server.url}/api/sessions`, { method: 'POST' })).json()) as any;
      model.enqueue(
        { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/SOUL.md' } }] },
        { kind: 'text', text: 'Hello from a worker.', chunkSize: 5 },
        { kind: 'text', text: 'Worker title' },
      );
      const response = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello', session_id: session.data.session_id }),
      });
      const events = await readSse(response);
      expect(events.filter((event) => event.event === 'error')).toEqual([]);
      // The tool call crosses from the worker to the server thread, which runs it, and its result goes back.
      const toolEnd = events.find((event) => event.event === 'tool_end');
      expect(toolEnd?.data.tool).toBe('read_file');
      expect(JSON.parse(toolEnd?.data.output).ok).toBe(true);
      const tokens = events.filter((event) => event.event === 'token');
      expect(tokens.map((event) => event.data.content).join('')).toBe('Hello from a worker.');
      expect(tokens.every((event) => event.data.source === 'messages')).toBe(true);
      expect(events.at(-1)).toMatchObject({ event: 'title', data: { title: 'Worker title' } });
      // A worker thread was started (Bun names it so); warming ended well; nothing was logged as an error, and no
      // warning speaks of warming, workers or a failure.
      const threads = readdirSync(`/proc/${server.child.pid}/task`).map((tid) =>
        readFileSync(`/proc/${server.child.pid}/task/${tid}/comm`, 'utf8').trim(),
      );
      expect(threads).toContain('Worker');
      const logged = server
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: string; message: string; entry?: string });
      expect(logged.some((line) => line.message === 'turn code paths warmed')).toBe(true);
      // The worker ran the entry inside the binary, not a file of the checkout it was built from (a CommonJS build
      // writes the build machine's source path into import.meta.url, which once sent it there).
      const started = logged.filter((line) => line.message === 'model worker started');
      expect(started.length).toBeGreaterThan(0);
      for (const line of started) expect(line.entry).toBe('file:///$bunfs/root/chat/model-worker/worker-entry.ts');
      expect(logged.filter((line) => line.level === 'error')).toEqual([]);
      expect(logged.filter((line) => line.level === 'warn' && /warm|worker|fail/i.test(line.message))).toEqual([]);
    } finally {
      expect(await server.stop('SIGTERM', 5000)).toBe(0);
    }
  }, 60_000);
});
