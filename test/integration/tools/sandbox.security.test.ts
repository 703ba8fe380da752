import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeConfigFile } from '../../../src/config/config-file';
import { createSandbox } from '../../../src/security/sandbox';
import { livePidsWith, waitUntil } from '../../support/process-probe';
import { createToolHarness } from '../../support/tool-harness';

// These tests need a working bubblewrap; .ci/run and the Dockerfile install it.
const hasBwrap = createSandbox().isAvailable();
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });

let server: ReturnType<typeof Bun.serve>;
let hits = 0;
beforeAll(() => {
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => (hits++, new Response('reached')) });
});
afterAll(() => server.stop(true));

const connectScript = (port: number) =>
  `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=3).close()\n    print("CONNECTED")\nexcept OSError as error:\n    print("BLOCKED", type(error).__name__)`;

describe.skipIf(!hasBwrap)('terminal and python_repl in bubblewrap', () => {
  it('cannot read a file outside the agent folder, but can write inside it', async () => {
    using harness = createToolHarness();
    const outside = join(harness.dataDir, 'server-secret.txt');
    writeFileSync(outside, 'TOP-SECRET-CONTENT');
    const read = await harness.call('terminal', { command: `cat ${outside}` });
    expect(read.data).toEqual(expect.objectContaining({ sandboxed: true, stdout: '' }));
    expect(read.data.exit_code).not.toBe(0);
    const listing = await harness.call('terminal', { command: 'ls /' });
    expect(listing.data.stdout).not.toContain('work');
    const written = await harness.call('terminal', {
      command: 'echo from-sandbox > workspace/note.txt && cat workspace/note.txt',
    });
    expect(written.data.stdout).toBe('from-sandbox\n');
    expect(readFileSync(join(harness.root, 'workspace', 'note.txt'), 'utf8')).toBe('from-sandbox\n');
    const audit = await harness.call('terminal', { command: "printf 'FOR%s' GED >> storage/tool_audit.jsonl" });
    expect(audit.data.exit_code).not.toBe(0);
    expect(readFileSync(join(harness.root, 'storage', 'tool_audit.jsonl'), 'utf8')).not.toContain('FORGED');
    // The same read works without the sandbox, so the refusal above is the sandbox's doing.
    using open = createToolHarness({ config: { tool_sandbox: { mode: 'off' } } });
    writeFileSync(join(open.dataDir, 'server-secret.txt'), 'TOP-SECRET-CONTENT');
    expect(
      (await open.call('terminal', { command: `cat ${join(open.dataDir, 'server-secret.txt')}` })).data.stdout,
    ).toBe('TOP-SECRET-CONTENT');
  });

  it("cannot replace the agent's config.json by a link, which the server's config writer would follow", async () => {
    using harness = createToolHarness();
    const config = join(harness.root, 'config.json');
    writeFileSync(config, '{}\n');
    const victim = join(harness.dataDir, 'victim.txt');
    writeFileSync(victim, 'UNTOUCHED');
    // As root in the sandbox, from the agent folder it starts in: unlink, link, rename over it.
    for (const command of [
      `rm -f config.json; ln -s ${victim} config.json`,
      `ln -sf ${victim} config.json`,
      `ln -s ${victim} workspace/planted && mv -f workspace/planted config.json`,
    ]) {
      const attempt = await harness.call('terminal', { command });
      expect(attempt.data.sandboxed).toBe(true);
      expect(attempt.data.exit_code).not.toBe(0);
      expect(lstatSync(config).isSymbolicLink()).toBe(false);
    }
    // The writer that follows an operator's link writes the agent's own file, not the victim.
    writeConfigFile(config, { rag_mode: true });
    expect(readFileSync(victim, 'utf8')).toBe('UNTOUCHED');
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ rag_mode: true });
  });

  it.skipIf(!python)('cannot open a network connection unless allow_network is on', async () => {
    using harness = createToolHarness();
    const before = hits;
    const blocked = await harness.call('python_repl', { code: connectScript(server.port!) });
    expect(blocked.data.output).toStartWith('BLOCKED');
    expect(blocked.data.sandboxed).toBe(true);
    expect(hits).toBe(before);
    using networked = createToolHarness({ config: { tool_sandbox: { allow_network: true } } });
    expect((await networked.call('python_repl', { code: connectScript(server.port!) })).data.output).toBe('CONNECTED');
  });

  it("cannot see the server's secret variables, not even through /proc", async () => {
    process.env.MOC_SANDBOX_TEST_TOKEN = 'leak-me-if-you-can-42';
    try {
      using harness = createToolHarness({ env: { ...process.env } });
      const result = await harness.call('terminal', {
        command: 'env; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"',
      });
      expect(result.data.sandboxed).toBe(true);
      expect(result.data.stdout).not.toContain('leak-me-if-you-can-42');
      expect(result.data.stdout).toContain('PATH=/usr/local/bin:/usr/bin:/bin');
    } finally {
      delete process.env.MOC_SANDBOX_TEST_TOKEN;
    }
  });

  it('kills a background grandchild when the command times out', async () => {
    using harness = createToolHarness();
    const marker = `sleep 4${process.pid % 1000}1`;
    const result = await harness.call('terminal', {
      command: `(${marker} &) ; ${marker} & echo started; wait`,
      timeout: 1,
    });
    expect(result.error?.code).toBe('E_TIMEOUT');
    expect(await waitUntil(() => livePidsWith(marker).length === 0)).toBe(true);
  });

  it.skipIf(!python)('runs python_repl in the same sandbox: output, errors, timeouts', async () => {
    using harness = createToolHarness({ config: { tool_timeouts: { python_repl_seconds: 1 } } });
    expect((await harness.call('python_repl', { code: 'print(sum(range(10)))' })).data).toEqual(
      expect.objectContaining({ output: '45', sandboxed: true }),
    );
    const outside = await harness.call('python_repl', {
      code: `print(open(${JSON.stringify(join(harness.dataDir, 'x'))}).read())`,
    });
    expect(outside.error).toEqual(expect.objectContaining({ code: 'E_EXEC' }));
    expect(outside.error!.details.stderr).toContain('FileNotFoundError');
    expect((await harness.call('python_repl', { code: 'while True: pass' })).error?.code).toBe('E_TIMEOUT');
    expect(existsSync(join(harness.root, 'storage'))).toBe(true);
  });
});
