// 422 items name the field and say what is wanted, also where Elysia wraps a type in a union; the message names the first.
import { describe, expect, it } from 'bun:test';
import { startTestServer, type TestServer } from '../../support/start-test-server';

/** The message and items of a request that must be refused with 422 `validation_error`. */
async function refused(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ message: string; items: unknown[] }> {
  const answer = await server.json(method, path, body);
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 422, code: 'validation_error' });
  return { message: answer.body.error.message, items: answer.body.error.details.items };
}

describe('validation messages', () => {
  it('explain bounds, literal choices and numbers instead of "Expected union value", with the field named', async () => {
    await using server = await startTestServer();
    const itemsOf = async (method: string, path: string, body?: unknown) =>
      (await refused(server, method, path, body)).items;
    expect(await itemsOf('PUT', '/api/scheduler/heartbeat', { interval_seconds: 10 })).toEqual([
      {
        field: 'interval_seconds',
        message: 'Expected integer to be greater or equal to 30',
        code: 'greater_than_equal',
      },
    ]);
    expect(await itemsOf('GET', '/api/sessions?scope=bogus')).toEqual([
      { field: 'query.scope', message: "Expected one of: 'active', 'archived', 'all'", code: 'literal_error' },
    ]);
    expect(await itemsOf('GET', '/api/usage/records?limit=abc')).toEqual([
      { field: 'query.limit', message: 'Expected an integer', code: 'int_type' },
    ]);
    expect(await itemsOf('GET', '/api/retrieval/search?domain=memory&q=x&top_k=0')).toEqual([
      { field: 'query.top_k', message: 'Expected integer to be greater or equal to 1', code: 'greater_than_equal' },
    ]);
    expect(await itemsOf('GET', '/api/sessions/x1/history?archived=perhaps')).toEqual([
      {
        field: 'query.archived',
        message: "Expected one of: 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off'",
        code: 'literal_error',
      },
    ]);
  });

  it('carry the first problem as <field>: <problem> in the message, for clients that show only that, items unchanged', async () => {
    await using server = await startTestServer();
    const refuse = (method: string, path: string, body?: unknown) => refused(server, method, path, body);
    expect(
      await refuse('POST', '/api/scheduler/cron/jobs', { schedule_type: 'cron', schedule: '* * *', prompt: 'x' }),
    ).toEqual({
      message: 'schedule: a cron expression has 5 fields (or 6 with seconds first)',
      items: [
        { field: 'schedule', message: 'A cron expression has 5 fields (or 6 with seconds first)', code: 'value_error' },
      ],
    });
    expect(await refuse('POST', '/api/files', { path: 7, content: 'x' })).toEqual({
      message: 'path: expected string',
      items: [{ field: 'path', message: 'Expected string', code: 'string_type' }],
    });
    expect(await refuse('PUT', '/api/config/runtime', { config: { rag_mod: true } })).toEqual({
      message: 'config.rag_mod: unknown key',
      items: [{ field: 'config.rag_mod', message: 'Unknown key', code: 'extra_forbidden' }],
    });
    expect(await refuse('GET', '/api/usage/records?limit=abc')).toEqual({
      message: 'query.limit: expected an integer',
      items: [{ field: 'query.limit', message: 'Expected an integer', code: 'int_type' }],
    });
    expect((await refuse('GET', '/api/usage/records?since_hours=0')).message).toBe(
      'query.since_hours: input should be between 1 and 8760',
    );
    expect((await refuse('GET', '/api/scheduler/cron/runs?limit=0')).message).toBe(
      'query.limit: input should be a whole number from 1 to 5000',
    );
    expect((await refuse('PUT', '/api/sessions/x1', { title: '   ' })).message).toBe('title: title must not be blank');
    expect((await refuse('POST', '/api/sessions', '[1]')).message).toBe('body: input should be a JSON object');
    expect((await refuse('POST', '/api/files', {})).message).toBe('path: field required (and 1 more)');
  });
});

describe('deeply nested JSON', () => {
  it('is refused with 422 before validation (400,000 levels used to end in a 500)', async () => {
    await using server = await startTestServer();
    for (const depth of [65, 400_000]) {
      const response = await server.request('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"title":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as any).error.details.items[0].code).toBe('too_deep');
    }
    expect((await server.json('POST', '/api/sessions', { title: 'a "[[[[" title' })).status).toBe(200);
  });
});

describe('very long arrays and very wide objects', () => {
  it('are refused with 422 before validation, naming where they are', async () => {
    await using server = await startTestServer();
    const post = async (path: string, body: unknown) => {
      const response = await server.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    // 200,000 paths of one letter: within 1 MiB, and Elysia's check walked and printed every one (0.1-0.5 s a request).
    const paths = await post('/api/tokens/files', { paths: Array.from({ length: 200_000 }, () => 'a') });
    expect(paths.status).toBe(422);
    expect(paths.body.error.details.items).toEqual([
      {
        field: 'paths',
        message: 'Array has 200000 items; no request body takes more than 10000',
        code: 'too_many_items',
      },
    ]);
    const wide = await post('/api/sessions', {
      title: 'x',
      extra: { nested: Object.fromEntries(Array.from({ length: 10_001 }, (_, index) => [`k${index}`, 1])) },
    });
    expect(wide.status).toBe(422);
    expect(wide.body.error.details.items[0]).toEqual({
      field: 'extra.nested',
      message: 'Object has 10001 keys; no request body takes more than 10000',
      code: 'too_many_items',
    });
    // At the limit, a body goes on to its route as before.
    expect((await post('/api/sessions', { title: 'x', extra: Array.from({ length: 10_000 }, () => 1) })).status).toBe(
      200,
    );
  });

  it('are refused with 422 too under a key with a dot in it, not as malformed JSON', async () => {
    await using server = await startTestServer();
    // The item count was read again by splitting the dotted path at its dots: `a.b` led nowhere, reading on threw,
    // and the well-formed body was answered 400 invalid_json "Malformed request body".
    const answer = await server.json('POST', '/api/sessions', {
      'a.b': { c: Array.from({ length: 10_001 }, () => 1) },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details.items).toEqual([
      {
        field: 'a.b.c',
        message: 'Array has 10001 items; no request body takes more than 10000',
        code: 'too_many_items',
      },
    ]);
  });
});

describe('a field of an optional body', () => {
  it('is named with the types it takes, not "body: expected union value"', async () => {
    await using server = await startTestServer();
    // The body of POST /api/sessions may be absent or null, so the schema is a union around the object.
    for (const title of [5, [1], true]) {
      expect(await refused(server, 'POST', '/api/sessions', { title })).toEqual({
        message: 'title: expected string or null',
        items: [{ field: 'title', message: 'Expected string or null', code: 'string_type' }],
      });
    }
    expect((await refused(server, 'POST', '/api/sessions', { title: 'x'.repeat(101) })).items).toEqual([
      { field: 'title', message: 'Expected string length less or equal to 100', code: 'string_too_long' },
    ]);
  });
});

describe('many problems in one request', () => {
  it('lists the first 64 items, as the schema checks do, and counts them all in the message', async () => {
    await using server = await startTestServer();
    const keys = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`k${index}`, 1]));
    const config = await refused(server, 'PUT', '/api/config/runtime', { config: keys });
    expect(config.message).toBe('config.k0: unknown key (and 999 more)');
    expect(config.items).toHaveLength(64);
    expect(config.items[63]).toEqual({ field: 'config.k63', message: 'Unknown key', code: 'extra_forbidden' });
    // Lone surrogates are found by the body parser; 1,000 of them were 1,000 items (500,000: a 78 MB answer).
    const response = await server.request('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"title": "t", "x": [${Array.from({ length: 1000 }, () => '"\\ud800"').join(', ')}]}`,
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(422);
    expect(body.error.message).toEndWith('(and 999 more)');
    expect(body.error.details.items).toHaveLength(64);
    expect(body.error.details.items[0]).toMatchObject({ field: 'x.0', code: 'invalid_unicode' });
    // The schema checks' own cap, for comparison.
    const paths = await refused(server, 'POST', '/api/tokens/files', { paths: new Array(1000).fill(1) });
    expect(paths.items.length).toBeLessThanOrEqual(64);
  });
});
