// Listing more agents than may stay open (each database opened in turn, milliseconds apiece) gives the thread back
// between slices, and an agent deleted while the listing runs is left out rather than failing it.
import { describe, expect, it } from 'bun:test';
import { startTestServer } from '../support/start-test-server';
import { makeTempDir } from '../support/temp-dir';

const AGENTS = 120;
// Few databases open at once: the first listing after a start opens (and closes) most of them.
const env = { APP_MAX_OPEN_AGENTS: '8' };

describe('GET /api/agents over more agents than stay open', () => {
  it('lets other work run while it lists, and leaves out an agent deleted meanwhile', async () => {
    using temp = makeTempDir('moc-listing-');
    {
      await using first = await startTestServer({ dataDir: temp.path, env });
      for (let index = 0; index < AGENTS; index += 1)
        expect((await first.json('POST', '/api/agents', { agent_id: `agent-${index}` })).status).toBe(200);
    }
    await using server = await startTestServer({ dataDir: temp.path, env });
    const ids = server.deps.agents.ids();
    // Listed in this order: the last but `default` comes long after the listing first gives the thread back.
    const victim = ids.filter((id) => id !== 'default').at(-1)!;
    // Scheduled before the listing starts: it runs only once the listing gives the thread back.
    let ranDuring = false;
    let deletedDuring = false;
    setImmediate(() => {
      ranDuring = true;
      // The last agent listed goes while the listing runs (as on another replica, or a client's DELETE).
      server.deps.agents.delete(victim).then(() => void (deletedDuring = true));
    });
    const listed = await server.deps.agents.list();
    expect(ranDuring).toBe(true);
    expect(deletedDuring).toBe(true);
    expect(listed.map((agent) => agent.agentId).sort()).toEqual(ids.filter((id) => id !== victim).sort());
    // Over HTTP the same, the deleted agent gone.
    const body = (await server.json('GET', '/api/agents')).body;
    expect(body.data.map((agent: { agent_id: string }) => agent.agent_id).sort()).toEqual(
      ids.filter((id) => id !== victim).sort(),
    );
  }, 120_000);
});
