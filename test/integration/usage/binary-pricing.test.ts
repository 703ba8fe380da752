// The compiled binary prices usage from the catalog embedded in it (no assets folder beside it).
import { beforeAll, describe, expect, it } from 'bun:test';
import { cleanEnv, sharedBinary, startBinary, waitForStatus } from '../../support/compiled-binary';
import { startFakeOpenAiServer } from '../../support/fake-openai-server';
import { makeTempDir } from '../../support/temp-dir';

let binary: string;

beforeAll(async () => {
  binary = await sharedBinary();
}, 120_000);

describe('compiled binary', () => {
  it('prices a chat turn with the embedded catalog', async () => {
    await using model = await startFakeOpenAiServer();
    using folder = makeTempDir('moc-run-usage-');
    const server = await startBinary(binary, {
      cwd: folder.path,
      args: ['--port', '0'],
      env: cleanEnv({
        APP_LOG_LEVEL: 'warn',
        LLM_BASE_URL: model.baseUrl,
        LLM_MODEL: 'gpt-4o-mini',
        LLM_API_KEY: 'test-key',
      }),
    });
    try {
      await waitForStatus(`${server.url}/api/health`);
      const session = (await (await fetch(`${server.url}/api/sessions`, { method: 'POST' })).json()) as any;
      model.enqueue(
        { kind: 'text', text: 'Hi.', usage: { prompt_tokens: 1000, completion_tokens: 100 } },
        { kind: 'text', text: 'Title' },
      );
      const chat = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello', session_id: session.data.session_id, stream: false }),
      });
      const body = (await chat.json()) as any;
      expect(body.data.usage).toEqual(
        expect.objectContaining({ priced: true, cost_usd: (1000 * 0.15 + 100 * 0.6) / 1e6 }),
      );
      expect(body.data.usage.pricing).toEqual(
        expect.objectContaining({ catalog_version: '2026-02-28', model_key: 'gpt-4o-mini' }),
      );
    } finally {
      expect(await server.stop('SIGTERM', 5000)).toBe(0);
    }
  });
});
