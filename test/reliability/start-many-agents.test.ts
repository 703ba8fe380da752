// A start with more agents than may stay open: each agent's storage is opened once before the server listens.
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../support/server-process';
import { makeTempDir } from '../support/temp-dir';

/** strace counts the opens; `.ci/run` installs it, and without it the test fails rather than being skipped. */
const strace = Bun.which('strace') ?? 'strace';
const AGENTS = 40;

describe(`a start with ${AGENTS} agents and APP_MAX_OPEN_AGENTS=4`, () => {
  // The scheduler's pass, the paused runs' pass, the first index pass and the queued messages' pass each
  // walked every agent, interleaved: past the cap each walk opened every agent again (2,000 agents at 32 open:
  // 16 s before listening, 7 s with one pass).
  it("opens each agent's database about once before it listens, and every agent answers after", async () => {
    using temp = makeTempDir('moc-start-many-');
    const dataDir = join(temp.path, 'data');
    const env = { APP_MAX_OPEN_AGENTS: '4', APP_WARM_START: 'false' };
    {
      await using first = await startServerProcess({ dataDir, env });
      for (let index = 0; index < AGENTS; index++)
        expect((await first.api('POST', '/api/agents', { agent_id: `agent-${index}` })).status).toBe(200);
    }
    const trace = join(temp.path, 'openat.log');
    await using server = await startServerProcess({
      dataDir,
      env,
      launcher: [strace, '-f', '-qq', '-e', 'trace=openat', '-o', trace],
    });
    // Read as the server printed its URL: what start-up opened before listening.
    const opens = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => line.includes('/storage/agent.db"')).length;
    expect(opens).toBeGreaterThanOrEqual(AGENTS + 1);
    expect(opens).toBeLessThanOrEqual(Math.ceil((AGENTS + 1) * 1.25));
    const listed = await server.api('GET', '/api/agents');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(AGENTS + 1);
    expect((await server.api('GET', `/api/sessions?agent_id=agent-${AGENTS - 1}`)).status).toBe(200);
  }, 120_000);
});
