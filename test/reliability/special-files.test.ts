// A FIFO where the server reads or appends to a file of its own: refused at once and said so, never waited on
// (a plain open of a FIFO blocks the whole process until a partner opens the other end).
import { describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runMain } from '../support/run-main';
import { startServerProcess } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

function mkfifo(path: string): void {
  const result = Bun.spawnSync(['mkfifo', path], { stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`mkfifo ${path}: ${result.stderr.toString()}`);
}

describe('a FIFO in place of a file the server appends to', () => {
  it('tool_audit.jsonl: the turn ends, the failed append is logged, the server stays up and stops on SIGTERM', async () => {
    await using running = await startServerProcess();
    const audit = join(running.dataDir, 'workspaces', 'default', 'storage', 'tool_audit.jsonl');
    rmSync(audit, { force: true });
    mkfifo(audit);
    const events = await running.toolTurn([{ name: 'read_file', args: { path: 'workspace/AGENTS.md' } }]);
    expect(running.toolOutputs(events).map((output) => output.ok)).toEqual([true]);
    expect(events.map((event) => event.event)).toContain('done');
    expect((await running.api('GET', '/api/health')).status).toBe(200);
    expect(running.server.stderr()).toContain('tool audit write failed');
    expect(running.server.stderr()).toContain(`${audit} is not a regular file`);
    expect(await running.server.stop()).toBe(0);
  }, 30_000);

  it('cron_runs.jsonl: the run is stored, the failed append is logged, the server stays up', async () => {
    await using running = await startServerProcess();
    const runLog = join(running.dataDir, 'workspaces', 'default', 'storage', 'cron_runs.jsonl');
    mkfifo(runLog);
    const created = await running.api('POST', '/api/scheduler/cron/jobs?agent_id=default', {
      prompt: 'Check the news',
      schedule_type: 'every',
      schedule: '3600',
    });
    expect(created.status).toBe(200);
    running.model.enqueue({ kind: 'text', text: 'Digest.' });
    const run = await running.api('POST', `/api/scheduler/cron/jobs/${created.body.data.job.id}/run?wait=true`);
    expect(run.status).toBe(200);
    expect((await running.api('GET', '/api/health')).status).toBe(200);
    expect(running.server.stderr()).toContain('run log append failed');
    expect(running.server.stderr()).toContain(`${runLog} is not a regular file`);
  }, 30_000);
});

describe('a FIFO in place of a file the server reads at start-up', () => {
  it('the global config.json: start-up fails naming the file, exit 1', async () => {
    using dir = makeTempDir('moc-fifo-config-');
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir);
    mkfifo(join(dataDir, 'config.json'));
    const result = await runMain(dir.path, ['serve', '--port', '0', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dataDir, 'config.json')} is not a regular file`);
  }, 30_000);

  it('.env in the working folder: start-up fails naming the file, exit 1', async () => {
    using dir = makeTempDir('moc-fifo-env-');
    mkfifo(join(dir.path, '.env'));
    const result = await runMain(dir.path, ['serve', '--port', '0', '--data-dir', join(dir.path, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir.path, '.env')} is not a regular file`);
  }, 30_000);

  it("an agent's config.json: refused like any invalid agent config (logged by name), the agent runs on the global layer", async () => {
    using dir = makeTempDir('moc-fifo-agent-');
    const dataDir = join(dir.path, 'data');
    const agentRoot = join(dataDir, 'workspaces', 'default');
    mkdirSync(agentRoot, { recursive: true });
    mkfifo(join(agentRoot, 'config.json'));
    await using running = await startServerProcess({ dataDir });
    const config = await running.api('GET', '/api/config/runtime');
    expect(config.status).toBe(200);
    expect(config.body.data.config.retrieval.storage.db_path).toBe('storage/retrieval.db');
    expect(running.server.stderr()).toContain(`${join(agentRoot, 'config.json')} is not a regular file`);
  }, 30_000);
});

/** A data folder whose default agent has a FIFO at `relative`, made before start. */
function agentWithFifo(dir: string, relative: string): string {
  const dataDir = join(dir, 'data');
  const agentRoot = join(dataDir, 'workspaces', 'default');
  mkdirSync(join(agentRoot, dirname(relative)), { recursive: true });
  mkfifo(join(agentRoot, relative));
  return dataDir;
}

describe('a FIFO in place of a retrieval index file the server reads', () => {
  for (const relative of ['storage/memory_index/index.json', 'storage/knowledge_index/index.json']) {
    it(`the legacy index ${relative}: retrieval answers 503 naming its folder, the rest of the server works`, async () => {
      using dir = makeTempDir('moc-fifo-legacy-');
      await using running = await startServerProcess({ dataDir: agentWithFifo(dir.path, relative) });
      const search = await running.api('GET', '/api/retrieval/search?domain=memory&q=coffee');
      expect(search).toEqual({
        status: 503,
        body: {
          error: {
            code: 'storage_unavailable',
            message: `A file of the data folder is not a regular file: workspaces/default/${dirname(relative)}`,
            details: { reason: 'not_regular_file', folder: `workspaces/default/${dirname(relative)}` },
            request_id: expect.any(String),
          },
        },
      });
      expect((await running.api('GET', '/api/sessions')).status).toBe(200);
      expect(running.server.stderr()).toContain(
        `${join(running.dataDir, 'workspaces', 'default', relative)} is not a regular file`,
      );
      expect(await running.server.stop()).toBe(0);
    }, 30_000);
  }

  it('the json engine index, planted after the engine is chosen: retrieval answers 503 naming its folder, the server stays up', async () => {
    await using running = await startServerProcess();
    const index = join(running.dataDir, 'workspaces', 'default', 'storage', 'retrieval.json');
    const saved = await running.api('PUT', '/api/config/runtime', {
      config: { retrieval: { storage: { engine: 'json' } } },
    });
    expect(saved.status).toBe(200);
    // The index reopens in the new engine on its next use, which reads whatever stands at its name then.
    mkfifo(index);
    const status = await running.api('GET', '/api/retrieval/status');
    expect(status.status).toBe(503);
    expect(status.body.error.details).toEqual({ reason: 'not_regular_file', folder: 'workspaces/default/storage' });
    expect((await running.api('GET', '/api/health')).status).toBe(200);
    expect(running.server.stderr()).toContain(`${index} is not a regular file`);
    expect(await running.server.stop()).toBe(0);
  }, 30_000);
});

describe('a FIFO in place of a SKILL.md', () => {
  it("in the agent's skills and the shared library: the skill is left out, lists and agent creation answer", async () => {
    using dir = makeTempDir('moc-fifo-skills-');
    const dataDir = agentWithFifo(dir.path, 'skills/planted/SKILL.md');
    mkdirSync(join(dataDir, 'skills', 'shared-planted'), { recursive: true });
    mkfifo(join(dataDir, 'skills', 'shared-planted', 'SKILL.md'));
    mkdirSync(join(dataDir, 'workspaces', 'default', 'skills', 'real'));
    writeFileSync(join(dataDir, 'workspaces', 'default', 'skills', 'real', 'SKILL.md'), '---\nname: real\n---\n');
    await using running = await startServerProcess({ dataDir });
    const names = async (agentId: string) =>
      ((await running.api('GET', `/api/skills?agent_id=${agentId}`)).body.data as { name: string }[]).map(
        (skill) => skill.name,
      );
    expect(await names('default')).toEqual(['real']);
    expect((await running.api('POST', '/api/agents', { agent_id: 'fresh' })).status).toBe(200);
    expect(await names('fresh')).toEqual(['weather', 'session-logs', 'skill-creator']);
    expect(await running.server.stop()).toBe(0);
  }, 30_000);
});

describe('a FIFO in place of a file the server rewrites', () => {
  it('.env swapped for one while the server runs: PUT /api/config/tracing answers 503 naming .env at once', async () => {
    using work = makeTempDir('moc-fifo-tracing-');
    await using running = await startServerProcess({ cwd: work.path });
    mkfifo(join(work.path, '.env'));
    const response = await running.api('PUT', '/api/config/tracing', { enabled: true });
    expect(response).toEqual({
      status: 503,
      body: {
        error: {
          code: 'storage_unavailable',
          message: 'Cannot write .env: it is not a regular file',
          details: { reason: 'not_regular_file', file: '.env' },
          request_id: expect.any(String),
        },
      },
    });
    expect((await running.api('GET', '/api/config/tracing')).body.data.enabled).toBe(false);
  }, 30_000);
});
