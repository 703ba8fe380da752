// The Swagger UI page renders its operations in a real headless browser, with no network beyond loopback.
import { describe, expect, it } from 'bun:test';
import { existsSync } from 'node:fs';
import { startTestServer } from '../../support/start-test-server';
import { makeTempDir } from '../../support/temp-dir';

const CHROMIUM = '/usr/bin/chromium';

/** Loads `url` in headless Chromium and returns the DOM after scripts ran (bounded by virtual time and a wall-clock limit). */
async function dumpDom(url: string): Promise<{ code: number | null; dom: string; stderr: string }> {
  using profile = makeTempDir('moc-chromium-');
  const child = Bun.spawn({
    cmd: [
      CHROMIUM,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      // Any name other than loopback fails to resolve, so the page cannot reach past this machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      `--user-data-dir=${profile.path}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      url,
    ],
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  try {
    const [code, dom, stderr] = await Promise.all([
      child.exited,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    return { code, dom, stderr };
  } finally {
    clearTimeout(timer);
  }
}

describe('GET /swagger in a browser', () => {
  it('renders the operations from /openapi.json with the embedded Swagger UI', async () => {
    // A missing browser is a broken test machine (.ci/run installs it), not a reason to skip.
    expect(existsSync(CHROMIUM)).toBe(true);
    await using server = await startTestServer();
    const { code, dom, stderr } = await dumpDom(`${server.url}/swagger`);
    if (!dom.includes('opblock')) console.error(`chromium exited ${code}\n${stderr.slice(-4000)}`);
    expect(code).toBe(0);
    expect(dom).toContain('swagger-ui');
    expect(dom).toContain('opblock');
    expect(dom).toContain('/api/sessions');
    expect(dom).toContain('/api/agents');
    expect(dom).toContain('Mini-OpenClaw API');
  }, 60_000);
});
