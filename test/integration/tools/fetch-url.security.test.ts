import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { HostResolver } from '../../../src/security/url-guard';
import { createToolHarness } from '../../support/tool-harness';

let server: ReturnType<typeof Bun.serve>;
let port = 0;
const seenHosts: string[] = [];

/** The test's DNS: names map to fixed addresses; anything else does not resolve. Nothing leaves loopback. */
const resolver: HostResolver = async (hostname) => {
  const table: Record<string, string[]> = {
    'evil.test': ['127.0.0.1'],
    'mixed.test': ['93.184.216.34', '10.0.0.5'],
    'six.test': ['::1'],
    'redirector.test': ['127.0.0.1'],
    'site.test': ['127.0.0.1'],
  };
  const addresses = table[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses;
};

beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      seenHosts.push(request.headers.get('host') ?? '');
      const redirect = (location: string) => new Response(null, { status: 302, headers: { location } });
      switch (url.pathname) {
        case '/to-private':
          return redirect(`http://127.0.0.1:${port}/page`);
        case '/to-metadata':
          return redirect('http://169.254.169.254/latest/meta-data/');
        case '/to-localhost':
          return redirect(`http://localhost:${port}/page`);
        case '/to-odd':
          return redirect(`http://0x7f000001:${port}/page`);
        case '/hop':
          return redirect(
            `/hop${Number(url.searchParams.get('n') ?? 0) + 1 > 9 ? '' : `?n=${Number(url.searchParams.get('n') ?? 0) + 1}`}`,
          );
        case '/page':
          return new Response(
            '<html><head><title>T</title><script>var secret = 1;</script></head><body><h1>Hello &amp; welcome</h1><p>First <a href="https://example.org/x">link</a></p><ul><li>one</li><li>two</li></ul></body></html>',
            {
              headers: { 'content-type': 'text/html; charset=utf-8' },
            },
          );
        case '/json':
          return Response.json({ a: 1, b: [true] });
        case '/big':
          return new Response('x'.repeat(50_000), { headers: { 'content-type': 'text/plain' } });
        default:
          return new Response('missing', { status: 404 });
      }
    },
  });
  port = server.port!;
});
afterAll(() => server.stop(true));

const CORPUS = () => [
  'http://localhost/',
  'http://localhost:8080/',
  'http://LOCALHOST/',
  'http://localhost./',
  'http://app.localhost/',
  'http://printer.local/',
  'http://db.internal/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/',
  'http://127.0.0.1/',
  'http://127.1/',
  'http://0177.0.0.1/',
  'http://0x7f.0.0.1/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://017700000001/',
  'http://0/',
  'http://0.0.0.0/',
  'http://10.0.0.1/',
  'http://0x0a.0x00.0x00.0x01/',
  'http://172.16.5.4/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://100.64.0.1/',
  'http://224.0.0.1/',
  'http://240.0.0.1/',
  'http://255.255.255.255/',
  'http://198.18.0.1/',
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:a00:1]/',
  'http://[0:0:0:0:0:ffff:169.254.169.254]/',
  'http://[fe80::1]/',
  'http://[fc00::1]/',
  'http://[fd12:3456::1]/',
  'http://[ff02::1]/',
  'http://[64:ff9b::7f00:1]/',
  'http://[2002:7f00:1::]/',
  'http://user:pass@127.0.0.1/',
  'http://evil.test/',
  `http://evil.test:${port}/page`,
  'http://mixed.test/',
  'http://six.test/',
  'http://nxdomain.test/',
  'file:///etc/passwd',
  'ftp://example.com/',
  'gopher://127.0.0.1:70/',
  `http://redirector.test:${port}/to-private`,
  `http://redirector.test:${port}/to-metadata`,
  `http://redirector.test:${port}/to-localhost`,
  `http://redirector.test:${port}/to-odd`,
];

describe('fetch_url SSRF guard', () => {
  it('refuses every URL of the corpus with E_POLICY_DENIED', async () => {
    using harness = createToolHarness({
      resolver,
      config: { tool_network: { allow_private_hosts: ['redirector.test'] } },
    });
    const corpus = CORPUS();
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    const before = seenHosts.length;
    const outcomes: [string, string | undefined][] = [];
    for (const url of corpus) outcomes.push([url, (await harness.call('fetch_url', { url })).error?.code]);
    expect(outcomes.filter(([, code]) => code !== 'E_POLICY_DENIED')).toEqual([]);
    // Only the allowlisted redirector was ever contacted; every private target was refused before connecting.
    expect(seenHosts.slice(before)).toEqual(new Array(4).fill(`redirector.test:${port}`));
    expect(
      (await harness.audit.list()).filter((row) => row.toolName === 'fetch_url' && row.errorCode === 'E_POLICY_DENIED'),
    ).toHaveLength(corpus.length);
  });

  it('explains refusals: DNS failures fail closed, every resolved address counts', async () => {
    using harness = createToolHarness({ resolver });
    expect((await harness.call('fetch_url', { url: 'http://nxdomain.test/' })).error!.message).toContain(
      'fails closed',
    );
    expect((await harness.call('fetch_url', { url: 'http://mixed.test/' })).error!.message).toContain('10.0.0.5');
    expect((await harness.call('fetch_url', { url: 'http://2130706433/' })).error!.message).toContain(
      'Unusual IPv4 spelling',
    );
  });
});

describe('fetch_url with private blocking off', () => {
  it('connects to the resolved address with the original Host header and returns readable text', async () => {
    using harness = createToolHarness({ resolver, config: { tool_network: { block_private_networks: false } } });
    const result = await harness.call('fetch_url', { url: `http://site.test:${port}/page` });
    expect(result.ok).toBe(true);
    expect(seenHosts.at(-1)).toBe(`site.test:${port}`);
    expect(result.data).toEqual(
      expect.objectContaining({
        status: 200,
        url: `http://site.test:${port}/page`,
        extract_mode: 'markdown',
        truncated: false,
      }),
    );
    expect(result.data.content).toBe('# Hello & welcome\n\nFirst link (https://example.org/x)\n\n- one\n\n- two');
    expect(result.meta.warnings).toEqual(['private network blocking is off (tool_network.block_private_networks)']);
    const text = await harness.call('web_fetch', { url: `http://site.test:${port}/page`, extractMode: 'text' });
    expect(text.data.content).toBe('Hello & welcome\n\nFirst link\n\none\n\ntwo');
    expect(text.meta.tool_name).toBe('web_fetch');
    const html = await harness.call('fetch_url', { url: `http://site.test:${port}/page`, extractMode: 'html' });
    expect(html.data.content).toContain('<script>');
    const json = await harness.call('fetch_url', { url: `http://site.test:${port}/json` });
    expect(json.data.content).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
  });

  it('follows redirects up to max_redirects, then refuses; cuts big bodies; maps 404 to E_HTTP', async () => {
    using harness = createToolHarness({
      resolver,
      config: { tool_network: { block_private_networks: false, max_redirects: 2, max_content_bytes: 1024 } },
    });
    const ok = await harness.call('fetch_url', { url: `http://site.test:${port}/to-private` });
    expect(ok.data.url).toBe(`http://127.0.0.1:${port}/page`);
    const tooMany = await harness.call('fetch_url', { url: `http://site.test:${port}/hop` });
    expect(tooMany.error).toEqual(
      expect.objectContaining({
        code: 'E_POLICY_DENIED',
        message: 'Too many redirects (tool_network.max_redirects=2)',
      }),
    );
    const big = await harness.call('fetch_url', { url: `http://site.test:${port}/big`, maxChars: 100_000 });
    expect(big.data.content).toHaveLength(1024);
    expect(big.meta).toEqual(
      expect.objectContaining({
        truncated: true,
        warnings: expect.arrayContaining(['body cut at tool_network.max_content_bytes (1024 bytes)']),
      }),
    );
    const capped = await harness.call('fetch_url', { url: `http://site.test:${port}/big`, maxChars: 300 });
    expect(capped.data.content).toBe(`${'x'.repeat(300)}\n...[truncated]`);
    expect((await harness.call('fetch_url', { url: `http://site.test:${port}/nothing` })).error).toEqual(
      expect.objectContaining({ code: 'E_HTTP', retryable: true }),
    );
  });
});
