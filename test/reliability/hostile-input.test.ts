// Property-based fuzzing of every operation in the served OpenAPI document: no 5xx, every 4xx in the
// envelope, the server stays healthy, and nothing on disk changes for a rejected request.
import { describe, expect, it } from 'bun:test';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { startChatFixture } from '../support/chat-fixture';
import { dataFolderState, type Operation, readOperations } from './openapi-operations';

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 25);

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

/** Sends the request exactly as given (no URL normalisation) and reads the whole answer. */
function send(port: number, request: Sent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, path: request.path, method: request.method, headers: request.headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    if (request.body) outgoing.write(request.body);
    outgoing.end();
  });
}

const TRICKY = [
  '..',
  '../..',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f',
  '/etc/passwd',
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%c0%ae%c0%ae',
  'default',
  '__heartbeat__',
  'CON',
  '.',
  '.env',
  '~',
  '%E2%80%AE',
  '%F0%9F%98%80',
  'x'.repeat(3000),
  '-1',
  '1e309',
  'null',
  'true',
];
const segment = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
);
const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.constantFrom('true', 'false', '', '0', '-5', '99999999999'),
);

/** A value of the wrong type, a huge one, a deeply nested one, or odd Unicode. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer({ min: 100_000, max: 600_000 }).map((size) => 'x'.repeat(size)),
  fc.integer({ min: 50, max: 400 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  fc.constantFrom('\u0000', '\uFEFF', '\u202E', '\uD800', 'e\u0301', '😀'.repeat(100)),
);

function bodyFor(operation: Operation): fc.Arbitrary<Buffer | undefined> {
  const known = operation.bodyFields;
  const shaped = fc
    .tuple(
      fc.subarray(known),
      fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 3 }),
      fc.array(anyValue, { minLength: known.length, maxLength: known.length }),
    )
    .map(([present, extra, values]) => ({
      ...extra,
      ...Object.fromEntries(present.map((field, index) => [field, values[index]])),
    }));
  return fc.oneof(
    fc.constant(undefined),
    shaped.map((value) => Buffer.from(JSON.stringify(value))),
    fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value))),
    fc
      .constantFrom('{"a":', '', 'null', '[]', '"text"', '{"a":1,"a":2}', '{"__proto__":{"polluted":true}}')
      .map((text) => Buffer.from(text)),
    fc.integer({ min: 1000, max: 20_000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from([0xff, 0xfe, ...bytes])),
  );
}

const headerVariants = fc.constantFrom<Record<string, string | string[]>>(
  { 'content-type': 'application/json' },
  {},
  { 'content-type': 'text/plain' },
  { 'content-type': ['application/json', 'text/plain'] },
  { 'content-type': 'application/json; charset=latin1' },
  { 'content-type': 'multipart/form-data; boundary=x' },
  { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces and \u00fc' },
  { 'content-type': 'application/json', 'x-request-id': ['a', 'b'] },
  { 'content-type': 'application/json', authorization: 'Bearer \u00ff\u00fe' },
  { 'content-type': 'application/json', accept: 'text/event-stream' },
  { 'content-type': 'application/json', 'accept-encoding': 'gzip, br, zstd' },
);

function requestFor(operation: Operation): fc.Arbitrary<Sent> {
  const pathArbitrary = fc
    .array(segment, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length })
    .map((values) => {
      let index = 0;
      return operation.path.replace(/\{[^}]+\}/g, () => values[index++]!);
    });
  const queryArbitrary = fc.dictionary(
    fc.oneof(
      fc.constantFrom(...operation.queryParams, 'agent_id'),
      fc.string({ maxLength: 8 }).map(encodeURIComponent),
    ),
    scalar,
    { maxKeys: 4 },
  );
  return fc
    .record({ path: pathArbitrary, query: queryArbitrary, headers: headerVariants, body: bodyFor(operation) })
    .map(({ path, query, headers, body }) => {
      const search = Object.entries(query)
        .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
        .join('&');
      return {
        method: operation.method,
        path: search ? `${path}?${search}` : path,
        headers: body ? headers : {},
        body,
      };
    });
}

describe('hostile input on every documented operation', () => {
  it('never answers 5xx, always answers 4xx in the envelope, and a refused request changes nothing on disk', async () => {
    await using fixture = await startChatFixture();
    const { server } = fixture;
    const port = Number(new URL(server.url).port);
    const operations = await readOperations(server.url);
    expect(operations.length).toBeGreaterThan(20);
    const tally = { requests: 0, refused: 0, accepted: 0 };
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(requestFor(operation), async (request) => {
          await server.deps.chat.drain();
          const before = dataFolderState(server.dataDir);
          const answer = await send(port, request);
          tally.requests++;
          const where = `${request.method} ${request.path.slice(0, 200)}`;
          expect({ where, status: answer.status < 500 }).toEqual({ where, status: true });
          if (answer.status >= 400) {
            tally.refused++;
            const envelope = JSON.parse(answer.text).error;
            expect(typeof envelope.code).toBe('string');
            expect(typeof envelope.message).toBe('string');
            expect(typeof envelope.request_id).toBe('string');
            await server.deps.chat.drain();
            expect({ where, changed: dataFolderState(server.dataDir) }).toEqual({ where, changed: before });
          } else tally.accepted++;
        }),
        { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.FUZZ_SEED ?? 20261127) },
      );
    }
    expect((await server.json('GET', '/api/health')).status).toBe(200);
    console.log(
      `hostile input: ${tally.requests} requests over ${operations.length} operations, ${tally.refused} refused, ${tally.accepted} accepted, no 5xx`,
    );
  }, 300_000);
});
