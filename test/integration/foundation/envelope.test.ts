import { describe, expect, it } from 'bun:test';
import { rawExchange, rawRequest } from '../../support/raw-request';
import { startTestServer } from '../../support/start-test-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MIB = 1024 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-resource-policy': 'same-site',
};

function securityHeadersOf(headers: Headers | Record<string, string>): Record<string, string | null> {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] ?? null));
  return Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, get(name)]));
}

/** A JSON body of about `bytes` bytes that is otherwise valid for POST /api/files. */
function fileBody(bytes: number, path = 'memory/big.md'): string {
  const shell = JSON.stringify({ path, content: '' });
  return JSON.stringify({ path, content: 'x'.repeat(bytes - shell.length) });
}

describe('request id', () => {
  it('echoes a valid X-Request-Id on success and error answers', async () => {
    await using server = await startTestServer();
    const success = await server.json('GET', '/api/agents', undefined, { 'x-request-id': 'client-id.42:a_b' });
    expect(success.status).toBe(200);
    expect(success.headers.get('x-request-id')).toBe('client-id.42:a_b');

    const failure = await server.json('GET', '/api/nothing-here', undefined, { 'x-request-id': 'client-id-7' });
    expect(failure.status).toBe(404);
    expect(failure.headers.get('x-request-id')).toBe('client-id-7');
    expect(failure.body.error.request_id).toBe('client-id-7');
  });

  it('generates a request id when none or an invalid one is sent', async () => {
    await using server = await startTestServer();
    const missing = await server.json('GET', '/api/nothing-here');
    expect(missing.headers.get('x-request-id')).toMatch(UUID);
    expect(missing.body.error.request_id).toBe(missing.headers.get('x-request-id')!);

    for (const invalid of ['has spaces in it', 'x'.repeat(129), '<script>']) {
      const response = await server.json('GET', '/api/nothing-here', undefined, { 'x-request-id': invalid });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      expect(response.body.error.request_id).toBe(response.headers.get('x-request-id')!);
    }
    const success = await server.request('/api/skills');
    expect(success.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('error envelope', () => {
  it('answers an unknown route with 404 not_found', async () => {
    await using server = await startTestServer();
    const response = await server.json('GET', '/api/nothing-here', undefined, { 'x-request-id': 'r-404' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toStartWith('application/json');
    expect(response.body).toEqual({
      error: { code: 'not_found', message: 'No route for GET /api/nothing-here', request_id: 'r-404' },
    });
  });

  it('answers a wrong method with 405 method_not_allowed and an Allow header', async () => {
    await using server = await startTestServer();
    const response = await server.json('DELETE', '/api/skills', undefined, { 'x-request-id': 'r-405' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(response.body).toEqual({
      error: {
        code: 'method_not_allowed',
        message: 'Method DELETE not allowed',
        details: { allow: ['GET'] },
        request_id: 'r-405',
      },
    });

    const withParams = await server.json('PATCH', '/api/sessions/abc');
    expect(withParams.status).toBe(405);
    expect(withParams.headers.get('allow')!.split(', ').sort()).toEqual(['DELETE', 'PUT']);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    await using server = await startTestServer();
    const response = await server.json('POST', '/api/agents', '{"agent_id": ', { 'x-request-id': 'r-json' });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'invalid_json',
      message: 'Malformed JSON body',
      details: { reason: expect.any(String) },
      request_id: 'r-json',
    });
  });

  it('answers validation failures with 422 and one item per field, query fields prefixed', async () => {
    await using server = await startTestServer();
    const body = await server.json('POST', '/api/files', { path: 7 }, { 'x-request-id': 'r-422' });
    expect(body.status).toBe(422);
    expect(body.body).toEqual({
      error: {
        code: 'validation_error',
        message: 'path: expected string (and 1 more)',
        details: {
          items: [
            { field: 'path', message: 'Expected string', code: 'string_type' },
            { field: 'content', message: 'Field required', code: 'missing' },
          ],
        },
        request_id: 'r-422',
      },
    });

    const query = await server.json('GET', '/api/sessions?scope=everything');
    expect(query.status).toBe(422);
    expect(query.body.error.details.items).toEqual([
      { field: 'query.scope', message: expect.any(String), code: expect.any(String) },
    ]);
  });

  it('refuses a JSON body that is not an object with 422', async () => {
    await using server = await startTestServer();
    for (const body of ['"hello"', '[1,2]', '5', 'true', '["agent_id"]']) {
      const response = await server.json('POST', '/api/sessions', body);
      expect({ body, status: response.status, items: response.body.error?.details?.items }).toEqual({
        body,
        status: 422,
        items: [{ field: '', message: 'Input should be a JSON object', code: 'dict_type' }],
      });
    }
    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
    expect((await server.json('POST', '/api/sessions', 'null')).status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
    await using server = await startTestServer();
    const response = await server.json('POST', '/api/sessions', JSON.stringify({ title: 'x'.repeat(MIB + 10) }));
    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'payload_too_large',
      message: `Request body exceeds ${MIB} bytes`,
      details: { limit_bytes: MIB },
      request_id: expect.any(String),
    });
    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
  });

  it('refuses a compressed body with 415 naming its encoding, whatever the bytes', async () => {
    await using server = await startTestServer();
    for (const encoding of ['gzip', 'br']) {
      const body = encoding === 'gzip' ? Bun.gzipSync(JSON.stringify({ title: 'x' })) : JSON.stringify({ title: 'x' });
      const response = await server.request('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as any).error).toEqual(
        expect.objectContaining({ code: 'unsupported_media_type', details: { content_encoding: encoding } }),
      );
    }
    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
  });

  it('refuses a chunked body over 1 MiB without content-length', async () => {
    await using server = await startTestServer();
    const chunk = 'x'.repeat(256 * 1024);
    const response = await rawRequest(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ['{"title":"', chunk, chunk, chunk, chunk, chunk, '"}'],
      chunked: true,
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
    expect((await server.json('GET', '/api/sessions')).body.data).toEqual([]);
  });

  it('accepts a file write up to 5 MiB and refuses more with 413', async () => {
    await using server = await startTestServer();
    const accepted = await server.json('POST', '/api/files', fileBody(4.9 * MIB));
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ data: { path: 'memory/big.md', saved: true } });

    const refused = await server.json('POST', '/api/files', fileBody(5 * MIB + 1024, 'memory/too-big.md'));
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({
      code: 'payload_too_large',
      message: `Request body exceeds ${5 * MIB} bytes`,
      details: { limit_bytes: 5 * MIB },
      request_id: expect.any(String),
    });

    const chunk = 'x'.repeat(MIB);
    const chunked = await rawRequest(`${server.url}/api/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ['{"path":"memory/chunked.md","content":"', chunk, chunk, chunk, chunk, chunk, chunk, '"}'],
      chunked: true,
    });
    expect(chunked.status).toBe(413);
    expect(chunked.body.error.code).toBe('payload_too_large');
    expect((await server.json('GET', '/api/files?path=memory/too-big.md')).status).toBe(404);
    expect((await server.json('GET', '/api/files?path=memory/chunked.md')).status).toBe(404);
  });

  it('refuses a body far over every limit with 413 and writes nothing', async () => {
    await using server = await startTestServer();
    const refused = await server.json('POST', '/api/files', fileBody(8 * MIB, 'memory/huge.md'));
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('payload_too_large');
    expect((await server.json('GET', '/api/files?path=memory/huge.md')).status).toBe(404);
    // A length far past Bun's old cap (80 MiB, a bare 413 without a body) is refused from the header alone.
    const declared = await rawExchange(
      server.url,
      `POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${200 * MIB}`,
    );
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toEqual({
      code: 'payload_too_large',
      message: `Request body exceeds ${MIB} bytes`,
      details: { limit_bytes: MIB },
      request_id: expect.any(String),
    });
  });
});

describe('security headers', () => {
  it('are present on success and error answers', async () => {
    await using server = await startTestServer();
    const answers = [
      await server.json('GET', '/api/agents'),
      await server.json('GET', '/api/health'),
      await server.json('GET', '/api/nothing-here'),
      await server.json('DELETE', '/api/skills'),
      await server.json('POST', '/api/agents', '{'),
      await server.json('POST', '/api/agents', {}),
      await server.json('GET', '/api/files?path=storage/agent.db'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 404, 405, 400, 422, 403]);
    for (const answer of answers) expect(securityHeadersOf(answer.headers)).toEqual(SECURITY_HEADERS);
  });
});
