// A client journey written against the types generated from the served /openapi.json: if the document
// and the API drift apart, this file stops type-checking (see openapi-client.test.ts).
import type { Client } from 'openapi-fetch';
import type { paths } from './generated/schema';

export interface JourneyStep {
  step: string;
  status: number;
}

/** What the journey needs beyond the typed client: the server for event streams, and the fake model's script. */
export interface JourneyTools {
  baseUrl: string;
  enqueueModel(...steps: unknown[]): void;
}

interface StreamEvent {
  event: string;
  id?: string;
  data: any;
}

/** Reads `response` as SSE: up to `limit` events (then drops the connection), or to its end. */
async function readEvents(response: Response, limit = Number.POSITIVE_INFINITY): Promise<StreamEvent[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let buffer = '';
  while (events.length < limit) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\r\n\r\n');
    while (end >= 0 && events.length < limit) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      end = buffer.indexOf('\r\n\r\n');
      const lines = block.split('\r\n');
      const data = lines.find((line) => line.startsWith('data: '));
      if (!data) continue;
      events.push({
        event: lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message',
        id: lines.find((line) => line.startsWith('id: '))?.slice(4),
        data: JSON.parse(data.slice(6)),
      });
    }
  }
  await reader.cancel();
  return events;
}

/** Reads events until `count` of them are named `name`; the connection stays open for the rest. */
async function readUntil(
  reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> },
  name: string,
  count: number,
) {
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let buffer = '';
  while (events.filter((event) => event.event === name).length < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${count} ${name} event(s)`);
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
      const lines = buffer.slice(0, end).split('\r\n');
      buffer = buffer.slice(end + 4);
      const data = lines.find((line) => line.startsWith('data: '));
      if (data)
        events.push({
          event: lines.find((line) => line.startsWith('event: '))?.slice(7) ?? '',
          data: JSON.parse(data.slice(6)),
        });
    }
  }
  return events;
}

const seqOf = (event: StreamEvent) => Number(event.id?.split(':').at(-1));

/** Starts a streamed chat turn with plain fetch (the typed client reads JSON only). */
const chatStream = (tools: JourneyTools, agentId: string, sessionId: string, message: string) =>
  fetch(`${tools.baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_id: agentId, session_id: sessionId, message }),
  });

export async function runJourney(client: Client<paths>, tools: JourneyTools): Promise<JourneyStep[]> {
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

  // Rejoin: a slow run, the stream dropped after a few events, then rejoined with Last-Event-ID.
  tools.enqueueModel({ kind: 'text', text: 'tick '.repeat(60), chunkSize: 5, delayMs: 5 });
  const before = await readEvents(await chatStream(tools, agentId, sessionId, 'Count slowly'), 4);
  const runId: string = before[0]!.data.run_id;
  const after = await readEvents(
    await fetch(`${tools.baseUrl}/api/runs/${runId}/events?agent_id=${agentId}`, {
      headers: { 'last-event-id': before.at(-1)!.id! },
    }),
  );
  const seen = [...before, ...after].map(seqOf);
  if (seen.some((seq, index) => seq !== index + 1)) throw new Error(`rejoined stream skipped or repeated: ${seen}`);
  if (!after.some((event) => event.event === 'done')) throw new Error('rejoined stream did not reach done');
  const run = await client.GET('/api/runs/{run_id}', {
    params: { path: { run_id: runId }, query: { agent_id: agentId } },
  });
  note('run after rejoin', run.response);
  if (run.data!.data.status !== 'completed') throw new Error(`run is ${run.data!.data.status}`);

  // Cancel: a run whose model never answers.
  tools.enqueueModel({ kind: 'hang' });
  const hanging = (await chatStream(tools, agentId, sessionId, 'Wait forever')).body!.getReader();
  const [started] = await readUntil(hanging, 'run_start', 1);
  const cancelled = await client.POST('/api/runs/{run_id}/cancel', {
    params: { path: { run_id: started!.data.run_id }, query: { agent_id: agentId } },
  });
  note('cancel run', cancelled.response);
  if (cancelled.data!.data.status !== 'cancelled') throw new Error('run not cancelled');
  await hanging.cancel();
  const again = await client.POST('/api/runs/{run_id}/cancel', {
    params: { path: { run_id: started!.data.run_id }, query: { agent_id: agentId } },
  });
  note('cancel a finished run', again.response);
  if (again.error?.error.code !== 'run_not_active') throw new Error('expected run_not_active');
  const listed = await client.GET('/api/runs', { params: { query: { agent_id: agentId, limit: 2 } } });
  note('list runs', listed.response);

  // Approvals: two read_file calls in one step, one approved and one rejected.
  const configured = await client.PUT('/api/config/runtime', {
    params: { query: { agent_id: agentId } },
    body: { config: { tool_approvals: { chat: ['read_file'] } } },
  });
  note('require approval for read_file', configured.response);
  tools.enqueueModel(
    {
      kind: 'tool_calls',
      calls: [
        { name: 'read_file', args: { path: 'knowledge/journey.md' } },
        { name: 'read_file', args: { path: 'memory/MEMORY.md' } },
      ],
    },
    { kind: 'text', text: 'One read, one refused.' },
  );
  const paused = (await chatStream(tools, agentId, sessionId, 'Read two files')).body!.getReader();
  const asked = (await readUntil(paused, 'approval_required', 2)).filter(
    (event) => event.event === 'approval_required',
  );
  const pending = await client.GET('/api/approvals', { params: { query: { agent_id: agentId, status: 'pending' } } });
  note('pending approvals', pending.response);
  if (pending.data!.data.count !== 2) throw new Error('expected two pending approvals');
  const byPath = (path: string) => asked.find((event) => event.data.args.path === path)!.data.approval_id as string;
  const approved = await client.POST('/api/approvals/{approval_id}', {
    params: { path: { approval_id: byPath('knowledge/journey.md') }, query: { agent_id: agentId } },
    body: { decision: 'approve' },
  });
  note('approve a call', approved.response);
  const rejected = await client.POST('/api/approvals/{approval_id}', {
    params: { path: { approval_id: byPath('memory/MEMORY.md') }, query: { agent_id: agentId } },
    body: { decision: 'reject', reason: 'memory stays private' },
  });
  note('reject a call', rejected.response);
  const ends = (await readUntil(paused, 'done', 1)).filter((event) => event.event === 'tool_end');
  await paused.cancel();
  const outputs = ends.map((event) => JSON.parse(event.data.output));
  if (!outputs.some((output) => output.ok && output.data.content.includes('typed client')))
    throw new Error('approved call did not run');
  if (!outputs.some((output) => output.error?.code === 'E_APPROVAL_REJECTED')) throw new Error('rejected call ran');

  const missing = await client.GET('/api/sessions/{session_id}/history', {
    params: { path: { session_id: 'no-such-session' }, query: { agent_id: agentId } },
  });
  note('unknown session', missing.response);
  if (missing.error?.error.code !== 'not_found') throw new Error('expected not_found');
  return steps;
}
