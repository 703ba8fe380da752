import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createToolHarness } from '../../../test/support/tool-harness';

let server: ReturnType<typeof Bun.serve>;
let base = '';

/** `depth` arrays nested in each other, without spaces. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      const query = new URL(request.url).searchParams;
      const depth = Number(query.get('depth'));
      const wide = Number(query.get('wide'));
      const body =
        depth > 0
          ? nested(depth)
          : wide > 0
            ? `${'['.repeat(60)}[${Array(wide).fill(1).join(',')}]${']'.repeat(60)}`
            : '{"a":1,"b":[true,{"c":"]"}]}';
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    },
  });
  base = `http://127.0.0.1:${server.port}/`;
});
afterAll(() => server.stop(true));

const harnessOptions = { config: { tool_network: { block_private_networks: false } } };

describe('fetch_url', () => {
  it('pretty-prints JSON up to 64 levels deep', async () => {
    using harness = createToolHarness(harnessOptions);
    const flat = await harness.call('fetch_url', { url: base });
    expect(flat.data.content).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    {\n      "c": "]"\n    }\n  ]\n}');
    const deep = await harness.call('fetch_url', { url: `${base}?depth=64`, maxChars: 100_000 });
    expect(deep.data.content).toBe(JSON.stringify(JSON.parse(nested(64)), null, 2));
  });

  it('returns JSON nested deeper than 64 levels as fetched', async () => {
    using harness = createToolHarness(harnessOptions);
    for (const depth of [65, 20_000]) {
      const fetched = await harness.call('fetch_url', { url: `${base}?depth=${depth}`, maxChars: 100_000 });
      expect(fetched.data.content).toBe(nested(depth));
      expect(fetched.data.truncated).toBe(false);
    }
  }, 5000);

  it('returns JSON longer than maxChars as fetched, cut there, rather than indent what is cut anyway', async () => {
    using harness = createToolHarness(harnessOptions);
    // 60 levels and 200,000 numbers: indented, each number would sit behind 122 spaces.
    const fetched = await harness.call('fetch_url', { url: `${base}?wide=200000`, maxChars: 1000 });
    expect(fetched.data.content.startsWith(`${'['.repeat(61)}1,1,1`)).toBe(true);
    expect(fetched.data.truncated).toBe(true);
  });
});
