// 422 items name the field and say what is wanted, also where Elysia wraps a type in a union.
import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../../support/start-test-server';

describe('validation messages', () => {
  it('explain bounds, literal choices and numbers instead of "Expected union value", with the field named', async () => {
    await using server = await startTestServer();
    const itemsOf = async (method: string, path: string, body?: unknown) => {
      const answer = await server.json(method, path, body);
      expect(answer.status).toBe(422);
      return answer.body.error.details.items;
    };
    expect(await itemsOf('PUT', '/api/scheduler/heartbeat', { interval_seconds: 10 })).toEqual([
      { field: 'interval_seconds', message: 'Expected integer to be greater or equal to 30', code: 'greater_than_equal' },
    ]);
    expect(await itemsOf('GET', '/api/sessions?scope=bogus')).toEqual([
      { field: 'query.scope', message: "Expected one of: 'active', 'archived', 'all'", code: 'literal_error' },
    ]);
    expect(await itemsOf('GET', '/api/usage/records?limit=abc')).toEqual([{ field: 'query.limit', message: 'Expected an integer', code: 'int_type' }]);
    expect(await itemsOf('GET', '/api/retrieval/search?domain=memory&q=x&top_k=0')).toEqual([
      { field: 'query.top_k', message: 'Expected integer to be greater or equal to 1', code: 'greater_than_equal' },
    ]);
    expect(await itemsOf('GET', '/api/sessions/x1/history?archived=perhaps')).toEqual([
      { field: 'query.archived', message: "Expected one of: 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off'", code: 'literal_error' },
    ]);
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
