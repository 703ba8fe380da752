// Body text the server could only store changed: bytes that are not UTF-8 and lone surrogate escapes are refused,
// where they were stored as U+FFFD before. Nothing is stored on a refusal.
import { describe, expect, it } from 'bun:test';
import { startTestServer, type TestServer } from '../../support/start-test-server';

async function send(server: TestServer, method: string, path: string, body: string | Uint8Array) {
  const response = await server.request(path, { method, headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as any };
}

const titles = async (server: TestServer) =>
  ((await server.json('GET', '/api/sessions')).body.data as { title: string }[]).map((row) => row.title);

describe('body text that UTF-8 cannot hold', () => {
  it('refuses bytes that are not UTF-8 with 400 invalid_json, storing nothing', async () => {
    await using server = await startTestServer();
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"title": "caf'),
      0xe9,
      ...new TextEncoder().encode('"}'),
    ]);
    const answer = await send(server, 'POST', '/api/sessions', bytes);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual(
      expect.objectContaining({ code: 'invalid_json', message: 'Request body is not valid UTF-8' }),
    );
    expect(await titles(server)).toEqual([]);
  });

  it('refuses lone surrogate escapes with 422 invalid_unicode naming each field, keys included', async () => {
    await using server = await startTestServer();
    const lone = await send(server, 'POST', '/api/sessions', '{"title": "half \\ud83d of a face"}');
    expect(lone.status).toBe(422);
    expect(lone.body.error.details.items).toEqual([
      { field: 'title', message: expect.any(String), code: 'invalid_unicode' },
    ]);
    const nested = await send(
      server,
      'PUT',
      '/api/config/runtime',
      '{"config": {"cron": {"timezone": "\\udc00"}, "x\\ud800": 1}}',
    );
    expect(nested.status).toBe(422);
    expect(nested.body.error.details.items.map((item: any) => [item.field, item.code])).toEqual([
      ['config.cron.timezone', 'invalid_unicode'],
      ['config.x\ud800', 'invalid_unicode'],
    ]);
    expect(await titles(server)).toEqual([]);
  });

  it('takes escaped pairs, raw text and a byte order mark as the text they are', async () => {
    await using server = await startTestServer();
    expect((await send(server, 'POST', '/api/sessions', '{"title": "\\ud83d\\ude00 caf\\u00e9"}')).status).toBe(200);
    expect((await send(server, 'POST', '/api/sessions', '{"title": "😀 café"}')).status).toBe(200);
    const withMark = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"title": "marked"}')]);
    expect((await send(server, 'POST', '/api/sessions', withMark)).status).toBe(200);
    expect((await titles(server)).sort()).toEqual(['marked', '😀 café', '😀 café']);
  });
});
