// A client journey written against the types generated from the served /openapi.json: if the document
// and the API drift apart, this file stops type-checking (see openapi-client.test.ts).
import type { Client } from 'openapi-fetch';
import type { paths } from './generated/schema';

export interface JourneyStep {
  step: string;
  status: number;
}

export async function runJourney(client: Client<paths>): Promise<JourneyStep[]> {
  const steps: JourneyStep[] = [];
  const note = (step: string, response: Response) => steps.push({ step, status: response.status });

  const created = await client.POST('/api/agents', { body: { agent_id: 'journey' } });
  note('create agent', created.response);
  const agentId = created.data!.data.agent_id;

  const written = await client.POST('/api/files', {
    params: { query: { agent_id: agentId } },
    body: { path: 'knowledge/journey.md', content: '# Journey\nThe typed client wrote this file.\n' },
  });
  note('write knowledge file', written.response);

  const read = await client.GET('/api/files', {
    params: { query: { agent_id: agentId, path: 'knowledge/journey.md' } },
  });
  note('read knowledge file', read.response);
  if (!read.data!.data.content.includes('typed client')) throw new Error('knowledge file content differs');

  const session = await client.POST('/api/sessions', {
    params: { query: { agent_id: agentId } },
    body: { title: 'Journey' },
  });
  note('create session', session.response);
  const sessionId = session.data!.data.session_id;

  const chat = await client.POST('/api/chat', {
    body: { agent_id: agentId, session_id: sessionId, message: 'Hello from the typed client', stream: false },
  });
  note('chat', chat.response);
  if (!chat.data!.data.content) throw new Error('empty chat reply');

  const sessions = await client.GET('/api/sessions', { params: { query: { agent_id: agentId } } });
  note('list sessions', sessions.response);
  if (!sessions.data!.data.some((row) => row.session_id === sessionId))
    throw new Error('session missing from the list');

  const history = await client.GET('/api/sessions/{session_id}/history', {
    params: { path: { session_id: sessionId }, query: { agent_id: agentId } },
  });
  note('history', history.response);

  const tokens = await client.GET('/api/tokens/session/{session_id}', {
    params: { path: { session_id: sessionId }, query: { agent_id: agentId } },
  });
  note('token count', tokens.response);

  const job = await client.POST('/api/scheduler/cron/jobs', {
    params: { query: { agent_id: agentId } },
    body: { name: 'Journey job', schedule_type: 'every', schedule: '3600', prompt: 'Summarise the knowledge folder.' },
  });
  note('create cron job', job.response);
  const jobId = job.data!.data.job.id;

  const ran = await client.POST('/api/scheduler/cron/jobs/{job_id}/run', {
    params: { path: { job_id: jobId }, query: { agent_id: agentId, wait: true } },
  });
  note('run cron job now', ran.response);

  const runs = await client.GET('/api/scheduler/cron/runs', { params: { query: { agent_id: agentId } } });
  note('cron runs', runs.response);

  const summary = await client.GET('/api/usage/summary', { params: { query: { agent_id: agentId } } });
  note('usage summary', summary.response);
  const records = await client.GET('/api/usage/records', { params: { query: { agent_id: agentId, limit: 10 } } });
  note('usage records', records.response);

  const missing = await client.GET('/api/sessions/{session_id}/history', {
    params: { path: { session_id: 'no-such-session' }, query: { agent_id: agentId } },
  });
  note('unknown session', missing.response);
  if (missing.error?.error.code !== 'not_found') throw new Error('expected not_found');
  return steps;
}
