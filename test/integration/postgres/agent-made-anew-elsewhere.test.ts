// An agent deleted and made anew on replica B while replica A had its scheduler open: A's scheduler takes up the new
// agent (it used to keep the old handle's services, which could do nothing), so A runs its jobs once B is gone.
import { expect, it } from 'bun:test';
import { SQL } from 'bun';
import { describeWithPostgres } from '../../support/postgres-database';
import { startReplicaPair } from '../../support/replica-pair';
import { waitFor } from '../../support/scheduler-fixture';

const AGENT = 'victim';

describeWithPostgres('an agent deleted and made anew on another replica', (database) => {
  it("is scheduled by replica A as the new agent: A runs the new agent's job once B is gone", async () => {
    const url = await database.cluster.createDatabase();
    await using pair = await startReplicaPair(url);
    const [a, b] = pair.replicas;
    expect((await b.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    // A's scheduler opens the agent's services when its scheduler API is first asked for it.
    expect((await a.api('GET', `/api/scheduler/cron/jobs?agent_id=${AGENT}`)).status).toBe(200);

    expect((await b.api('DELETE', `/api/agents/${AGENT}`)).status).toBe(200);
    expect((await b.api('POST', '/api/agents', { agent_id: AGENT })).status).toBe(200);
    const created = await b.api('POST', `/api/scheduler/cron/jobs?agent_id=${AGENT}`, {
      name: 'report',
      schedule_type: 'at',
      schedule: new Date(Date.now() + 4000).toISOString(),
      prompt: 'Write the report',
    });
    expect(created.status).toBe(200);
    // B goes away before the job is due: only A can run it (B's locks lapse with its 2 s lease).
    await b.server.stop('SIGKILL');

    const sql = new SQL(url);
    try {
      const run = await waitFor(async () => {
        const [row] = await sql`SELECT status FROM cron_runs WHERE agent_id = ${AGENT} AND status = 'ok'`;
        return row;
      }, 30_000);
      expect(run.status).toBe('ok');
      expect(a.model.chatRequests().length).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
  }, 60_000);
});
