import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DENY_CORPUS, LOOK_ALIKES } from '../../support/command-corpus';
import { livePidsWith, waitUntil } from '../../support/process-probe';
import { createToolHarness, noSandbox } from '../../support/tool-harness';

const SECRET_ENV = {
  OPENAI_API_KEY: 'sk-test-abcdefghijklmnop',
  MY_SERVICE_TOKEN: 'token-value-123',
  DATABASE_URL: 'postgres://user:hunter2@db/app',
  AWS_REGION: 'eu-west-1',
  DB_PASS: 'hunter3',
  APP_ADMIN_PASSWORD: 'hunter4',
  LANG: 'C.UTF-8',
  HARMLESS: 'visible-only-if-passed',
};

describe('terminal', () => {
  it(`refuses the ${DENY_CORPUS.length} commands of the deny corpus with E_POLICY_DENIED, without running them`, async () => {
    using harness = createToolHarness();
    const outcomes = [];
    for (const command of DENY_CORPUS)
      outcomes.push([command, (await harness.call('terminal', { command })).error?.code]);
    expect(outcomes.filter(([, code]) => code !== 'E_POLICY_DENIED')).toEqual([]);
    const denied = await harness.call('exec', { command: 'sudo rm -rf /' });
    expect(denied).toEqual(
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ details: { command: 'sudo rm -rf /', rule: 'rm_root' } }),
      }),
    );
  });

  it('runs the look-alikes', async () => {
    using harness = createToolHarness({ config: { tool_sandbox: { mode: 'off' } } });
    mkdirSync(join(harness.root, 'build'));
    mkdirSync(join(harness.root, 'scripts'));
    for (const command of LOOK_ALIKES) {
      const result = await harness.call('terminal', { command });
      expect([command, result.ok, typeof result.data.exit_code]).toEqual([command, true, 'number']);
    }
    expect(existsSync(join(harness.root, 'build'))).toBe(false);
    expect(existsSync(join(harness.root, 'out', 'file.txt'))).toBe(true);
  });

  it('runs plain commands as an argument vector and the rest through sh, in the agent folder', async () => {
    using harness = createToolHarness({ config: { tool_sandbox: { mode: 'off' } } });
    const plain = await harness.call('terminal', { command: 'pwd' });
    expect(plain.data).toEqual(
      expect.objectContaining({ exit_code: 0, stdout: `${harness.root}\n`, shell: false, sandboxed: false }),
    );
    expect(plain.meta.warnings).toEqual(['unsandboxed: tool_sandbox.mode is off']);
    const piped = await harness.call('terminal', { command: 'echo one two | wc -w; exit 3' });
    expect(piped.data).toEqual(expect.objectContaining({ exit_code: 3, stdout: '2\n', shell: true }));
    const alias = await harness.call('exec', { command: 'echo one two | wc -w' });
    expect([alias.meta.tool_name, alias.data.stdout]).toEqual(['exec', '2\n']);
  });

  it('hands the process a minimal environment: no secret of the server survives', async () => {
    using harness = createToolHarness({ env: SECRET_ENV, config: { tool_sandbox: { mode: 'off' } } });
    const result = await harness.call('terminal', { command: 'env' });
    const names = result.data.stdout
      .trim()
      .split('\n')
      .map((line: string) => line.split('=')[0])
      .sort();
    expect(names).toEqual(['HOME', 'LANG', 'PATH', 'TERM', 'TMPDIR']);
    for (const value of Object.values(SECRET_ENV).filter((value) => value !== 'C.UTF-8'))
      expect(result.data.stdout).not.toContain(value);
    expect(result.data.stdout).toContain(`HOME=${harness.root}`);
    expect(result.data.stdout).toContain('PATH=/usr/local/bin:/usr/bin:/bin');
  });

  it('kills the whole process group on timeout, background grandchildren included', async () => {
    using harness = createToolHarness({ config: { tool_sandbox: { mode: 'off' } } });
    const marker = `sleep 3${process.pid % 1000}7`;
    const result = await harness.call('terminal', {
      command: `sh -c '${marker} & ${marker} & wait' & echo started; wait`,
      timeout: 1,
    });
    expect(result.error).toEqual(
      expect.objectContaining({
        code: 'E_TIMEOUT',
        retryable: true,
        message: 'Timed out after 1 s; the process group was killed',
      }),
    );
    expect(result.error!.details.stdout).toBe('started\n');
    expect(await waitUntil(() => livePidsWith(marker).length === 0)).toBe(true);
  });

  it('caps output keeping the head and the tail', async () => {
    using harness = createToolHarness({
      config: { tool_sandbox: { mode: 'off' }, tool_output_limits: { terminal_chars: 200 } },
    });
    const result = await harness.call('terminal', { command: 'seq 1 100000' });
    expect(result.meta.truncated).toBe(true);
    expect(result.data.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(result.data.stdout.endsWith('99999\n100000\n')).toBe(true);
    expect(result.data.stdout).toMatch(/\.\.\.\[truncated \d+ (chars|bytes)\]\.\.\./);
    expect(result.data.stdout.length).toBeLessThan(400);
  });

  it.skipIf(!Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' }))(
    'reads big python_repl output without deadlocking and caps it',
    async () => {
      using harness = createToolHarness({
        config: { tool_sandbox: { mode: 'off' }, tool_output_limits: { terminal_chars: 1000 } },
      });
      const result = await harness.call('python_repl', { code: "print('a' * 300000 + 'END')" });
      expect([result.ok, result.meta.truncated, result.data.output.endsWith('aEND')]).toEqual([true, true, true]);
      expect(result.data.output.length).toBeLessThan(1100);
    },
  );

  it('refuses with E_SANDBOX_UNAVAILABLE when the sandbox is required but bubblewrap is missing, and is not offered', async () => {
    using harness = createToolHarness({ sandbox: noSandbox, config: { tool_sandbox: { mode: 'required' } } });
    expect(harness.forRun('chat').offered.map((tool) => tool.name)).not.toContain('terminal');
    const result = await harness.call('terminal', { command: 'echo hi' });
    expect(result.error).toEqual(expect.objectContaining({ code: 'E_SANDBOX_UNAVAILABLE', retryable: false }));
    expect((await harness.audit.list()).map((row) => [row.toolName, row.outcome, row.errorCode])).toEqual([
      ['terminal', 'denied', 'E_SANDBOX_UNAVAILABLE'],
    ]);
  });

  it('never falls back to unsandboxed in the default auto mode: refused, and runs only with mode off', async () => {
    using harness = createToolHarness({ sandbox: noSandbox });
    expect(harness.config.tool_sandbox.mode).toBe('auto');
    expect(harness.forRun('chat').offered.map((tool) => tool.name)).not.toContain('terminal');
    for (const [tool, args] of [
      ['terminal', { command: 'echo hi' }],
      ['python_repl', { code: 'print(1)' }],
    ] as const) {
      const result = await harness.call(tool, args);
      expect(result.error).toEqual(expect.objectContaining({ code: 'E_SANDBOX_UNAVAILABLE', retryable: false }));
    }
    using off = createToolHarness({ sandbox: noSandbox, config: { tool_sandbox: { mode: 'off' } } });
    const result = await off.call('terminal', { command: 'echo hi' });
    expect([result.data.stdout, result.data.sandboxed, result.meta.warnings]).toEqual([
      'hi\n',
      false,
      ['unsandboxed: tool_sandbox.mode is off'],
    ]);
  });
});

describe('terminal without the sandbox (found by a pentest)', () => {
  it('returns when the command ends even if an escaped child (setsid) keeps its output pipe open', async () => {
    using harness = createToolHarness({
      config: { tool_sandbox: { mode: 'off' }, tool_timeouts: { terminal_seconds: 5 } },
    });
    // Without the drain limit this call waited for the 120 s sleeper and the test timed out.
    const result = await harness.call('terminal', { command: 'setsid sleep 120 & echo "sleeper $!"' });
    const pid = Number(/sleeper (\d+)/.exec(result.data.stdout)?.[1]);
    try {
      expect(result.ok).toBe(true);
      expect(pid).toBeGreaterThan(0);
    } finally {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
  });
});
