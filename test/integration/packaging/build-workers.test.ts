// The builds' second entry point, the model worker: it runs from inside the binary, and from the bundle `npm start`
// runs, never from the checkout's sources.
import { beforeAll, describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  cleanEnv,
  type RunningBinary,
  type StartBinaryOptions,
  sharedBinary,
  startBinary,
  waitForStatus,
} from '../../support/compiled-binary';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { waitUntil } from '../../support/process-probe';
import { chatInNewSession } from '../../support/sse-client';
import { sharedBundle, startBundle } from '../../support/start-bundle';
import { makeTempDir } from '../../support/temp-dir';

let binary: string;
let bundle: string;

beforeAll(async () => {
  [binary, bundle] = await Promise.all([sharedBinary(), sharedBundle()]);
}, 120_000);

interface Build {
  name: string;
  start(options: StartBinaryOptions): Promise<RunningBinary>;
  /** The worker entry the build must run. */
  entry(): string;
}

const BUILDS: Build[] = [
  {
    name: 'compiled binary',
    start: (options) => startBinary(binary, options),
    entry: () => 'file:///$bunfs/root/chat/model-worker/worker-entry.ts',
  },
  {
    name: 'bundle of npm start',
    start: startBundle,
    entry: () => pathToFileURL(join(dirname(bundle), 'chat', 'model-worker', 'worker-entry.js')).href,
  },
];

/** The server's JSON log lines; a line that is not JSON (or not whole yet) is left out. */
function logLines(stderr: string): { level: string; message: string; entry?: string }[] {
  const lines = stderr.split('\n').slice(0, -1);
  return lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return parsed && typeof parsed.message === 'string' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** The names of a process's threads; one that ends while they are read is left out. */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()];
    } catch {
      return [];
    }
  });
}

// /proc is read for the server's threads.
describe.skipIf(process.platform !== 'linux').each(BUILDS)('$name, model workers', (build) => {
  it('warms and runs a turn with a tool call on a model worker (APP_MODEL_WORKERS=1)', async () => {
    await using model = await startFakeOpenAiServer();
    using folder = makeTempDir('moc-run-workers-');
    const server = await build.start({
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
    let stopped: number | null = null;
    try {
      await waitForStatus(`${server.url}/api/health`);
      // Warming plays its turns on the worker: wait for it to end, well or not (its last word is one of these two).
      const warmingEnded = () => /turn code paths warmed|warming the turn code paths failed/.test(server.stderr());
      expect(await waitUntil(warmingEnded, 20_000)).toBe(true);
      model.enqueue(
        { kind: 'tool_calls', calls: [{ name: 'read_file', args: { path: 'workspace/SOUL.md' } }] },
        { kind: 'text', text: 'Hello from a worker.', chunkSize: 5 },
        { kind: 'text', text: 'Worker title' },
      );
      const events = await chatInNewSession(server.url, 'hello');
      expect(events.filter((event) => event.event === 'error')).toEqual([]);
      // The tool call crosses from the worker to the server thread, which runs it, and its result goes back.
      const toolEnd = events.find((event) => event.event === 'tool_end');
      expect(toolEnd?.data.tool).toBe('read_file');
      expect(JSON.parse(toolEnd?.data.output).ok).toBe(true);
      const tokens = events.filter((event) => event.event === 'token');
      expect(tokens.map((event) => event.data.content).join('')).toBe('Hello from a worker.');
      expect(tokens.every((event) => event.data.source === 'messages')).toBe(true);
      expect(events.at(-1)).toMatchObject({ event: 'title', data: { title: 'Worker title' } });
      // Nothing was logged as an error, no warning speaks of warming, workers or a failure, and warming ended well.
      const logged = logLines(server.stderr());
      expect(logged.filter((line) => line.level === 'error')).toEqual([]);
      expect(logged.filter((line) => line.level === 'warn' && /warm|worker|fail/i.test(line.message))).toEqual([]);
      expect(logged.map((line) => line.message)).toContain('turn code paths warmed');
      // The worker ran the build's own entry, not a file of the checkout's sources (a CommonJS build writes the build
      // machine's source path into import.meta.url, which once sent the binary's there).
      const started = logged.filter((line) => line.message === 'model worker started');
      expect(started.length).toBeGreaterThan(0);
      for (const line of started) expect(line.entry).toBe(build.entry());
      // A worker thread runs (Bun names it so).
      expect(threadNames(server.child.pid)).toContain('Worker');
    } finally {
      stopped = await server.stop('SIGTERM', 5000);
    }
    expect(stopped).toBe(0);
  }, 60_000);
});
