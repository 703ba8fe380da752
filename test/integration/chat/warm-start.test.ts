// Warming the turn's code paths after start: a whole turn and a title against a model inside the process, and no trace of it.
import { describe, expect, it } from 'bun:test';
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentGraphsBuilt } from '../../../src/chat/agent-graph-cache';
import { cachedChatModelUrls } from '../../../src/chat/model-cache';
import { modelWorkerPool } from '../../../src/chat/model-worker/worker-pool';
import { readEnvSettings } from '../../../src/config';
import type { DepsOverrides } from '../../../src/deps.types';
import { createSandbox } from '../../../src/security/sandbox';
import { startServer } from '../../../src/server';
import { silentLogger } from '../../../src/shared/logger';
import { SCRATCH_ROUNDS, WARM_JIT_POLICY, warmStart } from '../../../src/warm-start';
import { countingProbed, fakeBwrap } from '../../support/fake-bwrap';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { waitUntil } from '../../support/process-probe';
import { readSse } from '../../support/sse-client';
import { makeTempDir } from '../../support/temp-dir';

/** The environment of a server whose chat model is `model`. */
const modelEnv = (model: { baseUrl: string }) => ({
  LLM_BASE_URL: model.baseUrl,
  LLM_MODEL: 'fake-model',
  LLM_API_KEY: 'k',
});

async function serve(env: Record<string, string>, overrides: Partial<DepsOverrides> = {}) {
  const temp = makeTempDir('moc-warm-');
  const settings = readEnvSettings({
    APP_DATA_DIR: temp.path,
    APP_LOG_LEVEL: 'silent',
    APP_RATE_LIMIT_ENABLED: 'false',
    ...env,
  });
  const running = await startServer({
    settings: { ...settings, host: '127.0.0.1', port: 0 },
    overrides: { logger: silentLogger, env: {}, envFilePath: join(temp.path, '.env'), ...overrides },
    beforeListen: (deps) => deps.retrieval.idle(),
  });
  return {
    running,
    json: async (method: string, path: string, body?: unknown) => {
      const response = await fetch(running.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    },
    /** A first turn in a new session, as a client sends it: the names of its SSE events. */
    firstTurnEvents: async () => {
      const created = await fetch(`${running.url}/api/sessions`, { method: 'POST' });
      const { data } = (await created.json()) as { data: { session_id: string } };
      const response = await fetch(`${running.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello', session_id: data.session_id }),
      });
      return (await readSse(response)).map((event) => event.event);
    },
    async [Symbol.asyncDispose]() {
      await running.close();
      temp[Symbol.dispose]();
    },
  };
}

describe('warm start', () => {
  it('plays a turn and a title call inside the process: the configured model is not called, nothing is stored', async () => {
    await using model = await startFakeOpenAiServer();
    await using server = await serve(modelEnv(model));
    const scratchFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('mini-openclaw-warm-'));
    const before = scratchFolders();
    const urlsBefore = cachedChatModelUrls();
    const report = await warmStart(server.running);
    expect(report?.events).toBeGreaterThan(0);
    expect(report?.refused).toEqual([422, 404]);
    // Whole turns through a scratch copy of the server: each a first turn, to its `done` and `title`; its folder is gone.
    expect(report?.scratchEvents).toBeGreaterThanOrEqual(SCRATCH_ROUNDS * 4);
    // (Stale ones other servers left may go meanwhile: none is added.)
    expect(scratchFolders().filter((name) => !before.includes(name))).toEqual([]);
    // The clients kept are the configured model's only: those of the models inside the process went with them.
    expect(cachedChatModelUrls().filter((url) => !urlsBefore.includes(url))).toEqual([model.baseUrl]);

    const { events, modelCalls } = await server.running.deps.warmUp();
    expect(events.map((event) => event.type)).toContain('token');
    expect(events.at(-1)).toEqual(
      expect.objectContaining({ type: 'done', data: expect.objectContaining({ content: 'Ready to help.' }) }),
    );
    expect(modelCalls).toBe(2);
    expect(model.requests).toHaveLength(0);

    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
    expect((await server.json('GET', '/api/usage/records')).body.data.records).toEqual([]);

    // The first real turn then runs as ever, against the configured model, with its agent graph built at start.
    const graphsBefore = agentGraphsBuilt();
    expect((await server.firstTurnEvents()).slice(-2)).toEqual(['done', 'title']);
    expect(model.chatRequests().length).toBe(2);
    expect(agentGraphsBuilt()).toBe(graphsBefore);
  });

  it('on a model worker, leaves no client of its models inside the process in the worker either', async () => {
    await using model = await startFakeOpenAiServer();
    await using server = await serve({ ...modelEnv(model), APP_MODEL_WORKERS: '1' });
    const report = await warmStart(server.running);
    expect(report?.scratchEvents).toBeGreaterThanOrEqual(SCRATCH_ROUNDS * 4);
    const pool = modelWorkerPool()!;
    expect(pool.threads()).toHaveLength(1);
    // The worker ran the warm-up's calls (it made clients for them), and kept none of them.
    expect(pool.started).toBeGreaterThan(SCRATCH_ROUNDS);
    expect(await pool.cachedUrls()).toEqual([]);
    // The first real turn then makes the configured model's client there.
    expect((await server.firstTurnEvents()).slice(-2)).toEqual(['done', 'title']);
    expect(await pool.cachedUrls()).toEqual([model.baseUrl]);
  });

  it('with an API token, its requests carry it and reach the chat handler', async () => {
    await using model = await startFakeOpenAiServer();
    await using server = await serve({ ...modelEnv(model), APP_API_TOKEN: 'secret-token-of-the-test' });
    expect((await warmStart(server.running))?.refused).toEqual([422, 404]);
    expect(model.requests).toHaveLength(0);
  });

  it('scales the JIT thresholds while it warms and sets them back after, also when warming fails', async () => {
    await using model = await startFakeOpenAiServer();
    await using server = await serve(modelEnv(model));
    const { deps } = server.running;
    const warmUp = deps.warmUp;
    const policies: number[] = [];
    let policyDuringWarmUp: number | undefined;
    let warmedUp = false;
    deps.warmUp = async () => {
      policyDuringWarmUp = policies.at(-1);
      const result = await warmUp();
      warmedUp = true;
      return result;
    };
    // The scratch copy is given the server's clock: what it reads after the in-process turn is the copy's turns.
    const clock = deps.clock;
    const policiesDuringScratch = new Set<number | undefined>();
    deps.clock = {
      nowMs: () => {
        if (warmedUp) policiesDuringScratch.add(policies.at(-1));
        return clock.nowMs();
      },
    };
    const report = await warmStart(server.running, (scale) => policies.push(scale));
    expect(report?.scratchEvents).toBeGreaterThan(0);
    expect(policyDuringWarmUp).toBe(WARM_JIT_POLICY);
    expect([...policiesDuringScratch]).toEqual([WARM_JIT_POLICY]);
    expect(policies).toEqual([WARM_JIT_POLICY, 1]);
    deps.clock = clock;

    deps.warmUp = () => Promise.reject(new Error('no warm-up today'));
    policies.length = 0;
    expect(await warmStart(server.running, (scale) => policies.push(scale))).toBeNull();
    expect(policies).toEqual([WARM_JIT_POLICY, 1]);
  });

  it('does nothing without a configured model', async () => {
    await using server = await serve({});
    expect(await warmStart(server.running)).toBeNull();
  });

  it('waits for the start-up sandbox probe rather than running a second one that holds the thread', async () => {
    using temp = makeTempDir('moc-warm-probe-');
    // A bubblewrap that answers once this test lets it, which it does once warming has asked for the verdict.
    const go = join(temp.path, 'go');
    const bwrap = fakeBwrap(temp.path, { answerWhen: go });
    const sandbox = createSandbox(bwrap.options());
    const counted = countingProbed(sandbox);
    await using model = await startFakeOpenAiServer();
    await using server = await serve(modelEnv(model), { sandbox: counted.sandbox });
    const warming = warmStart(server.running);
    // Start-up asked once; warming is the second. A warm-up that probed for itself instead would hold this thread.
    expect(await waitUntil(() => counted.asked() === 2)).toBe(true);
    writeFileSync(go, '');
    expect((await warming)?.scratchEvents).toBeGreaterThan(0);
    expect(bwrap.calls()).toBe(1);
    expect(sandbox.status().reason).toBe('bubblewrap cannot start a sandbox here: bwrap: refused');
  });

  it('lets a turn that arrives while the start-up probe runs wait for its verdict, the thread free', async () => {
    using temp = makeTempDir('moc-turn-probe-');
    const go = join(temp.path, 'go');
    const bwrap = fakeBwrap(temp.path, { answerWhen: go });
    const counted = countingProbed(createSandbox(bwrap.options()));
    await using model = await startFakeOpenAiServer();
    await using server = await serve(modelEnv(model), { sandbox: counted.sandbox });
    const turn = server.firstTurnEvents();
    // Start-up asked once, the turn second. A turn that probed for itself would hold this thread, and `go` would
    // never be written while the fake waits for it.
    expect(await waitUntil(() => counted.asked() === 2)).toBe(true);
    writeFileSync(go, '');
    expect(await turn).toContain('done');
    expect(bwrap.calls()).toBe(1);
  });
});
