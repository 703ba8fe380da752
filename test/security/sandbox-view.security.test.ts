// What the sandbox sees: the agent's areas as folders, never a file the server owns; and the config rename attack.
import { describe, expect, it } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandbox } from '../../src/security/sandbox';
import { startChatFixture } from '../support/chat-fixture';
import { waitUntil } from '../support/process-probe';
import { startServerProcess } from '../support/server-process';
import { readSse } from '../support/sse-client';
import { createToolHarness } from '../support/tool-harness';

const hasBwrap = createSandbox().isAvailable();
const python = Bun.which('python3', { PATH: '/usr/local/bin:/usr/bin:/bin' });
const runsAsRoot = process.geteuid?.() === 0;

describe.skipIf(!hasBwrap)('the sandbox view', () => {
  it('holds the four areas as folders and nothing else of the agent, the data folder or other agents', async () => {
    using harness = createToolHarness();
    mkdirSync(join(harness.root, 'skills'));
    writeFileSync(join(harness.root, 'config.json'), '{"secret":"agent-config"}');
    writeFileSync(join(harness.dataDir, '.env'), 'LLM_API_KEY=sk-outside-the-sandbox-123456');
    writeFileSync(join(harness.dataDir, 'config.json'), '{"secret":"global-config"}');
    mkdirSync(join(harness.dataDir, 'workspaces', 'other', 'workspace'), { recursive: true });
    writeFileSync(join(harness.dataDir, 'workspaces', 'other', 'workspace', 'AGENTS.md'), 'other-agent-secret');
    const listing = await harness.call('terminal', { command: 'ls -A' });
    expect(listing.data.stdout.trim().split('\n')).toEqual(['knowledge', 'memory', 'skills', 'workspace']);
    const reads = [
      'config.json',
      'storage/agent.db',
      'storage/tool_audit.jsonl',
      '../config.json',
      `${harness.dataDir}/.env`,
      `${harness.dataDir}/config.json`,
      `${harness.dataDir}/workspaces/other/workspace/AGENTS.md`,
      '../other/workspace/AGENTS.md',
    ];
    for (const path of reads) {
      const result = await harness.call('terminal', { command: `cat ${path}` });
      expect([path, result.data.exit_code, result.data.stdout]).toEqual([path, 1, '']);
    }
    // Outside the areas the agent folder is read-only: nothing written there could be mistaken for a server file.
    const write = await harness.call('terminal', { command: 'echo x > config.json' });
    expect(write.data.exit_code).not.toBe(0);
    expect(readFileSync(join(harness.root, 'config.json'), 'utf8')).toBe('{"secret":"agent-config"}');
  });

  it.skipIf(!python)(
    "survives the looping writer: config saves by rename never uncover the agent's config.json",
    async () => {
      await using fixture = await startChatFixture({ env: { APP_API_TOKEN: '' } });
      const agent = fixture.server.deps.agents.get('default');
      await fixture.server.json('PUT', '/api/config/runtime', {
        config: { tool_timeouts: { python_repl_seconds: 120 } },
      });
      const started = join(agent.root, 'workspace', 'writer-started');
      const stop = join(agent.root, 'workspace', 'writer-stop');
      // Tries to switch its own sandbox off through every name the config could have, until told to stop.
      const writer = [
        'import os',
        `root = ${JSON.stringify(agent.root)}`,
        `targets = [os.path.join(root, 'config.json'), 'config.json', '../config.json', ${JSON.stringify(join(fixture.server.dataDir, 'config.json'))}]`,
        "open('workspace/writer-started', 'w').close()",
        'wrote, tries = set(), 0',
        "while not os.path.exists('workspace/writer-stop'):",
        '    tries += 1',
        '    for target in targets:',
        '        try:',
        "            with open(target, 'w') as handle:",
        '                handle.write(\'{"tool_sandbox":{"mode":"off"}}\')',
        '            wrote.add(target)',
        '        except OSError:',
        '            pass',
        "print('tries', tries, 'wrote', sorted(wrote))",
      ].join('\n');
      fixture.model.enqueue(
        { kind: 'tool_calls', calls: [{ name: 'python_repl', args: { code: writer } }] },
        { kind: 'text', text: 'done' },
      );
      const sessionId = await fixture.newSession();
      const turn = fixture.chat({ message: 'write', session_id: sessionId }).then(readSse);
      expect(await waitUntil(() => existsSync(started), 20_000)).toBe(true);
      for (let round = 1; round <= 30; round++) {
        const saved = await fixture.server.json('PUT', '/api/config/runtime', {
          config: { tool_timeouts: { fetch_url_seconds: round } },
        });
        expect(saved.status).toBe(200);
      }
      const heartbeat = await fixture.server.json('PUT', '/api/scheduler/heartbeat', {
        enabled: false,
        interval_seconds: 600,
      });
      expect(heartbeat.status).toBe(200);
      writeFileSync(stop, '');
      const events = await turn;
      const output = JSON.parse(events.find((event) => event.event === 'tool_end')!.data.output);
      expect(output.data.output).toMatch(/^tries \d+ wrote \[\]$/);
      const stored = JSON.parse(readFileSync(join(agent.root, 'config.json'), 'utf8'));
      expect(stored.tool_sandbox).toBeUndefined();
      expect(stored.tool_timeouts.fetch_url_seconds).toBe(30);
      const effective = await fixture.server.json('GET', '/api/config/runtime');
      expect(effective.body.data.config.tool_sandbox.mode).toBe('auto');
      expect(effective.body.data.config.heartbeat.interval_seconds).toBe(600);
    },
  );
});

describe.skipIf(!hasBwrap || !runsAsRoot)('a server installed under /usr (read-only in every sandbox)', () => {
  it('keeps its .env, its data folder and other agents out of view, as anywhere else', async () => {
    // As an operator who unpacked the server in /usr/local and runs it there: .env beside it, data in ./storage.
    const home = `/usr/local/moc-sandbox-test-${randomBytes(4).toString('hex')}`;
    mkdirSync(home);
    try {
      writeFileSync(join(home, '.env'), 'MOC_TEST_SECRET=sk-in-dotenv-0123456789\n');
      await using running = await startServerProcess({ cwd: home, dataDir: join(home, 'storage') });
      expect((await running.api('POST', '/api/agents', { agent_id: 'other' })).status).toBe(200);
      const other = join(running.dataDir, 'workspaces', 'other', 'workspace', 'AGENTS.md');
      writeFileSync(other, 'other-agent-secret');
      const reads = [
        join(home, '.env'),
        join(running.dataDir, 'config.json'),
        other,
        join(running.dataDir, 'workspaces', 'default', 'storage', 'agent.db'),
      ];
      const command = `ls -A ${running.dataDir} ${join(running.dataDir, 'workspaces')}; ${reads.map((path) => `cat ${path}`).join('; ')}; true`;
      const [output] = running.toolOutputs(await running.toolTurn([{ name: 'terminal', args: { command } }]));
      expect(output.data.sandboxed).toBe(true);
      // Before, the sandbox printed the key in .env, the global config and the other agent's file. Now the data
      // folder holds only the way to this agent's folder, and .env reads empty.
      const workspaces = join(running.dataDir, 'workspaces');
      expect(output.data.stdout).toBe(`${running.dataDir}:\nworkspaces\n\n${workspaces}:\ndefault\n`);
      const write = running.toolOutputs(
        await running.toolTurn([
          { name: 'terminal', args: { command: 'echo kept > workspace/kept.txt && cat workspace/kept.txt' } },
        ]),
      );
      expect(write[0].data.stdout).toBe('kept\n');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
