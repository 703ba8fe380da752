// Helpers for scheduler tests: wait for a condition, create jobs, read run rows.
import type { TestServer } from './start-test-server';

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

export async function createJob(server: TestServer, body: Record<string, unknown>, agentId = 'default') {
  const response = await server.json('POST', `/api/scheduler/cron/jobs?agent_id=${agentId}`, {
    prompt: 'Check the news',
    ...body,
  });
  if (response.status !== 200) throw new Error(`job not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data.job as Record<string, any>;
}

export async function cronRuns(server: TestServer, agentId = 'default'): Promise<any[]> {
  return (await server.json('GET', `/api/scheduler/cron/runs?agent_id=${agentId}&limit=5000`)).body.data.runs;
}

export async function heartbeatRuns(server: TestServer, agentId = 'default'): Promise<any[]> {
  return (await server.json('GET', `/api/scheduler/heartbeat/runs?agent_id=${agentId}`)).body.data.runs;
}
