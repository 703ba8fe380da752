// The tracing switch decides whether LangChain really sends runs to LangSmith. The server runs as its
// own process here, because LangChain reads the switch from that process's environment.
import { afterAll, describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { cleanEnv, startBinary, type RunningBinary } from '../../support/compiled-binary';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fake-openai-server';
import { waitUntil } from '../../support/process-probe';
import { makeTempDir } from '../../support/temp-dir';

const MAIN = join(import.meta.dir, '..', '..', '..', 'src', 'main.ts');

function startFakeLangSmith() {
  const paths: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      paths.push(`${request.method} ${new URL(request.url).pathname}`);
      return Response.json({});
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, paths, stop: () => server.stop(true) };
}

async function startServer(
  model: FakeOpenAiServer,
  endpoint: string,
  switches: Record<string, string>,
  cleanups: (() => unknown)[],
): Promise<RunningBinary> {
  const temp = makeTempDir('tracing-');
  cleanups.push(() => temp[Symbol.dispose]());
  const dir = temp.path;
  return startBinary(process.execPath, {
    cwd: dir,
    args: [MAIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data')],
    env: cleanEnv({
      LLM_BASE_URL: model.baseUrl,
      LLM_MODEL: 'fake-model',
      LLM_API_KEY: 'test-key',
      LANGSMITH_ENDPOINT: endpoint,
      LANGSMITH_API_KEY: 'ls-test-key',
      LANGSMITH_PROJECT: 'tracing-test',
      ...switches,
    }),
  });
}

async function chatOnce(server: RunningBinary): Promise<void> {
  const created = await fetch(`${server.url}/api/sessions`, { method: 'POST' });
  const sessionId = ((await created.json()) as any).data.session_id;
  const response = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'hi', session_id: sessionId, stream: false }),
  });
  expect(response.status).toBe(200);
}

describe('tracing switch', () => {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('OBS_TRACING_ENABLED=false silences LANGSMITH_TRACING=true; =true sends runs', async () => {
    const model = await startFakeOpenAiServer();
    cleanups.push(() => model.stop());
    const silent = startFakeLangSmith();
    const traced = startFakeLangSmith();
    cleanups.push(silent.stop, traced.stop);
    const off = await startServer(
      model,
      silent.url,
      { OBS_TRACING_ENABLED: 'false', LANGSMITH_TRACING: 'true', LANGCHAIN_TRACING_V2: 'true' },
      cleanups,
    );
    cleanups.push(() => off.stop('SIGKILL'));
    const on = await startServer(
      model,
      traced.url,
      { OBS_TRACING_ENABLED: 'true', LANGSMITH_TRACING: 'false' },
      cleanups,
    );
    cleanups.push(() => on.stop('SIGKILL'));

    await chatOnce(off);
    await chatOnce(on);
    // The control: with tracing on, LangChain posts the run to our fake LangSmith.
    expect(await waitUntil(() => traced.paths.some((path) => path.startsWith('POST /runs')), 15_000)).toBe(true);
    // A graceful stop lets a tracer flush whatever it had queued; the silenced server still sent nothing.
    expect(await off.stop('SIGTERM')).toBe(0);
    expect(silent.paths).toEqual([]);
  }, 30_000);
});
