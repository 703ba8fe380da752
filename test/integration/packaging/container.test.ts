// The official image, built from the Dockerfile on local stand-ins and run by podman: health, chat, sandbox, uid, SIGTERM, restart.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForStatus } from '../../support/compiled-binary';
import {
  buildProjectImage,
  ensureBuildImage,
  ensureDebianImage,
  releaseProjectImage,
} from '../../support/container-images';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../support/fake-openai-server';
import { podman, podmanOk, podmanUnavailableReason, tail } from '../../support/podman';
import { readSse } from '../../support/sse-client';
import { makeTempDir, type TempDir } from '../../support/temp-dir';

const skipReason = await podmanUnavailableReason();
if (skipReason) console.log(`container test skipped: ${skipReason}`);

const APP_UID = 10001;
const NAME = `moc-test-${process.pid}`;
const API_KEY = `sk-container-${crypto.randomUUID()}`;
/**
 * Tries each read the sandbox must refuse; what counts is what the output reveals (a hidden folder may list as empty).
 * `id -u` comes first and END last, so the command surely ran.
 */
const PROBE_COMMAND = [
  'id -u',
  'cat /data/.env',
  'ls -a /data/workspaces/default/storage',
  'cat /data/workspaces/default/config.json',
  'cat /data/config.json',
  'echo END',
].join('; ');
const CONFIG_FILES = ['config.json', 'workspaces/default/config.json'];

interface Container {
  name: string;
  url: string;
}

/** A port free on the host's loopback right now (the container shares the host's network). */
function freePort(): number {
  const probe = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

describe.skipIf(skipReason !== null)('the official container (podman)', () => {
  let model: FakeOpenAiServer;
  let data: TempDir;
  const started: string[] = [];
  let first: Container;
  let sessionId = '';
  let image = '';

  /** Runs the image on the host network with `data` as /data and waits for /api/health; throws with its logs if it dies. */
  async function startContainer(name: string): Promise<Container> {
    const port = freePort();
    started.push(name);
    await podmanOk([
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'host',
      '-v',
      `${data.path}:/data`,
      // Loopback only: nothing of the test listens beyond this machine.
      '-e',
      'APP_HOST=127.0.0.1',
      '-e',
      `APP_PORT=${port}`,
      '-e',
      `LLM_BASE_URL=${model.baseUrl}`,
      '-e',
      'LLM_MODEL=fake-model',
      image,
    ]);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForStatus(`${url}/api/health`, 200, 30_000);
    } catch (error) {
      const logs = await podman(['logs', name]);
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\ncontainer logs:\n${tail(logs.stdout)}\n${tail(logs.stderr)}`,
      );
    }
    return { name, url };
  }

  const inspect = (name: string, format: string) => podmanOk(['inspect', '--format', format, name]);
  const api = (container: Container, path: string, init?: RequestInit) => fetch(`${container.url}${path}`, init);

  beforeAll(async () => {
    const began = performance.now();
    const runtime = await ensureDebianImage();
    const build = await ensureBuildImage(runtime);
    image = await buildProjectImage({ build, runtime });
    console.log(`container test: stand-ins and image ready in ${Math.round((performance.now() - began) / 1000)} s`);
    model = await startFakeOpenAiServer();
    data = makeTempDir('moc-container-data-');
    chownSync(data.path, APP_UID, APP_UID);
    // The model key lives only in /data/.env: the server must read it, the sandbox must not.
    writeFileSync(join(data.path, '.env'), `LLM_API_KEY=${API_KEY}\n`, { mode: 0o600 });
    chownSync(join(data.path, '.env'), APP_UID, APP_UID);
    first = await startContainer(NAME);
  }, 900_000);

  afterAll(async () => {
    for (const name of started) await podman(['rm', '--force', '--time', '0', name]);
    await releaseProjectImage();
    await model?.stop();
    data?.[Symbol.dispose]();
  }, 60_000);

  it('answers /api/health and passes the image HEALTHCHECK', async () => {
    const response = await api(first, '/api/health');
    expect([response.status, await response.json()]).toEqual([200, { status: 'ok' }]);
    const check = await podman(['healthcheck', 'run', first.name]);
    expect({ code: check.code, output: `${check.stdout}${check.stderr}` }).toMatchObject({ code: 0 });
  }, 30_000);

  it('runs the server as uid 10001 and writes the /data volume as that user', async () => {
    const pid = await inspect(first.name, '{{.State.Pid}}');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(/^Uid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(Array(4).fill(String(APP_UID)));
    expect(/^Gid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(Array(4).fill(String(APP_UID)));
    for (const seeded of ['config.json', 'workspaces/default/config.json', 'workspaces/default/storage']) {
      expect([seeded, statSync(join(data.path, seeded)).uid]).toEqual([seeded, APP_UID]);
    }
  }, 30_000);

  it('answers a chat turn from the fake model on the host, with the key read from /data/.env', async () => {
    const created = await api(first, '/api/sessions?agent_id=default', { method: 'POST' });
    sessionId = ((await created.json()) as { data: { session_id: string } }).data.session_id;
    model.enqueue({ kind: 'text', text: 'Hello from the container.' });
    const events = await readSse(await api(first, '/api/chat', chatRequest('Say hello.')));
    expect(events.find((event) => event.event === 'done')?.data.content).toBe('Hello from the container.');
    expect(model.chatRequests()[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  }, 60_000);

  it('runs the terminal sandboxed: it cannot read /data/.env, the agent storage or any config.json', async () => {
    // The agent's config.json starts as `{}`; writing the full payload gives it lines a read would reveal.
    const current = (await (await api(first, '/api/config/runtime?agent_id=default')).json()) as {
      data: { config: unknown };
    };
    const put = await api(first, '/api/config/runtime?agent_id=default', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: current.data.config }),
    });
    expect(put.status).toBe(200);
    model.enqueue(
      { kind: 'tool_calls', calls: [{ name: 'terminal', args: { command: PROBE_COMMAND } }] },
      { kind: 'text', text: 'Done.' },
    );
    const events = await readSse(await api(first, '/api/chat', chatRequest('Show me what you can read.')));
    const end = events.find((event) => event.event === 'tool_end');
    expect(end?.data.tool).toBe('terminal');
    const output = JSON.parse(end!.data.output);
    const stdout: string = output.data?.stdout ?? '';
    const seen = `${stdout}\n${output.data?.stderr ?? ''}`;
    const storage = readdirSync(join(data.path, 'workspaces', 'default', 'storage'));
    const configLines = CONFIG_FILES.flatMap((file) => readFileSync(join(data.path, file), 'utf8').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line.length >= 12);
    expect(storage).toContain('agent.db');
    expect(configLines.length).toBeGreaterThan(40);
    expect({
      ok: output.ok,
      sandboxed: output.data?.sandboxed,
      ran: stdout.trimEnd().endsWith('END'),
      nonRootUid: /^[1-9]\d*$/.test(stdout.split('\n')[0] ?? ''),
      revealed: {
        env: seen.includes(API_KEY),
        storage: storage.filter((name) => seen.includes(name)),
        configLines: configLines.filter((line) => seen.includes(line)).length,
      },
    }).toEqual({
      ok: true,
      sandboxed: true,
      ran: true,
      nonRootUid: true,
      revealed: { env: false, storage: [], configLines: 0 },
    });
  }, 60_000);

  it('exits 0 on SIGTERM (its STOPSIGNAL) within the 10 s podman stop waits before SIGKILL', async () => {
    expect(await inspect(first.name, '{{.Config.StopSignal}}')).toMatch(/^(15|SIGTERM)$/);
    await podmanOk(['stop', '--time', '10', first.name]);
    expect(await inspect(first.name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
  }, 30_000);

  it('keeps the session when a new container starts on the same volume', async () => {
    const second = await startContainer(`${NAME}-again`);
    const listed = (await (await api(second, '/api/sessions?agent_id=default')).json()) as {
      data: { session_id: string }[];
    };
    expect(listed.data.map((session) => session.session_id)).toContain(sessionId);
    const history = (await (await api(second, `/api/sessions/${sessionId}/history?agent_id=default`)).json()) as {
      data: { messages: { role: string; content: string }[] };
    };
    const said = history.data.messages.map((message) => [message.role, message.content]);
    expect(said).toEqual(
      expect.arrayContaining([
        ['user', 'Say hello.'],
        ['assistant', 'Hello from the container.'],
        ['user', 'Show me what you can read.'],
      ]),
    );
    await podmanOk(['stop', '--time', '10', second.name]);
    expect(await inspect(second.name, '{{.State.ExitCode}}')).toBe('0');
  }, 60_000);

  function chatRequest(message: string): RequestInit {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, session_id: sessionId }),
    };
  }
});
