// Many clients at once: one run per session, many agents and sessions in parallel, no lost or mixed messages.
import { describe, expect, it } from 'bun:test';
import { startChatFixture } from '../support/chat-fixture';
import { readSse } from '../support/sse-client';

const lastUserText = (body: any): string => {
  const users = (body.messages as any[]).filter((message) => message.role === 'user');
  const content = users.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
};

describe('concurrency', () => {
  it('50 clients on one session: exactly one run; same message attaches, another gets 409', async () => {
    await using fixture = await startChatFixture();
    fixture.model.setFallback((body) =>
      body.stream
        ? { kind: 'text', text: 'one reply '.repeat(20), chunkSize: 10, delayMs: 5 }
        : { kind: 'text', text: 'Busy' },
    );
    const sessionId = await fixture.newSession();
    const first = await fixture.chat({ message: 'A', session_id: sessionId });
    const answers = await Promise.all(
      Array.from({ length: 49 }, async (_, index) => {
        const response = await fixture.chat({ message: index % 2 === 0 ? 'A' : 'B', session_id: sessionId });
        if (response.status !== 200)
          return { status: response.status, code: ((await response.json()) as any).error.code, done: undefined };
        const events = await readSse(response);
        return { status: 200, code: undefined, done: events.find((event) => event.event === 'done')?.data.content };
      }),
    );
    const firstEvents = await readSse(first);
    const reply = firstEvents.find((event) => event.event === 'done')!.data.content;
    const attached = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(attached.length + refused.length).toBe(49);
    expect(refused.every((answer) => answer.code === 'session_busy')).toBe(true);
    expect(attached.every((answer) => answer.done === reply)).toBe(true);
    expect(attached.length).toBeGreaterThan(0);
    expect(fixture.model.chatRequests().filter((request) => request.body.stream)).toHaveLength(1);
    const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages;
    expect(history.map((message: any) => [message.role, message.content])).toEqual([
      ['user', 'A'],
      ['assistant', reply],
    ]);
  });

  it('20 agents × 10 sessions chatting at once: every turn answered, stored in its own session, in order', async () => {
    await using fixture = await startChatFixture();
    fixture.model.setFallback((body) =>
      body.stream
        ? { kind: 'text', text: `echo: ${lastUserText(body)}`, chunkSize: 6, delayMs: 1 }
        : { kind: 'text', text: 'Load' },
    );
    const agents = ['default', ...Array.from({ length: 19 }, (_, index) => `load-${index}`)];
    for (const agent of agents.slice(1))
      expect((await fixture.server.json('POST', '/api/agents', { agent_id: agent })).status).toBe(200);
    const sessions = await Promise.all(
      agents.flatMap((agent) =>
        Array.from({ length: 10 }, async () => ({ agent, sessionId: await fixture.newSession(agent) })),
      ),
    );
    const turns = 2;
    for (let round = 0; round < turns; round++) {
      const answers = await Promise.all(
        sessions.map(async ({ agent, sessionId }) => {
          const message = `${agent}/${sessionId}/round-${round}`;
          const answer = await fixture.server.json('POST', '/api/chat', {
            agent_id: agent,
            session_id: sessionId,
            message,
            stream: false,
          });
          return {
            status: answer.status,
            content: answer.body?.data?.content,
            code: answer.body?.error?.code,
            message,
          };
        }),
      );
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
      for (const answer of answers) expect(answer.content).toBe(`echo: ${answer.message}`);
    }
    for (const { agent, sessionId } of sessions) {
      const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history?agent_id=${agent}`)).body
        .data.messages;
      const expected = Array.from({ length: turns }, (_, round) => `${agent}/${sessionId}/round-${round}`).flatMap(
        (message) => [
          ['user', message],
          ['assistant', `echo: ${message}`],
        ],
      );
      expect(history.map((message: any) => [message.role, message.content])).toEqual(expected);
    }
  }, 60_000);

  it('scheduled runs firing during chat load: every job runs once and ok, every chat answered', async () => {
    await using fixture = await startChatFixture();
    fixture.model.setFallback((body) =>
      body.stream
        ? { kind: 'text', text: `echo: ${lastUserText(body)}`, chunkSize: 6, delayMs: 2 }
        : { kind: 'text', text: 'Load' },
    );
    const agents = ['default', 'sched-1', 'sched-2', 'sched-3', 'sched-4'];
    for (const agent of agents.slice(1)) await fixture.server.json('POST', '/api/agents', { agent_id: agent });
    const dueAt = new Date(Date.now() + 1500).toISOString();
    for (const agent of agents) {
      for (let job = 0; job < 3; job++) {
        const created = await fixture.server.json('POST', `/api/scheduler/cron/jobs?agent_id=${agent}`, {
          name: `job ${job}`,
          schedule_type: 'at',
          schedule: dueAt,
          prompt: `scheduled ${agent} ${job}`,
        });
        expect(created.status).toBe(200);
      }
    }
    const sessions = await Promise.all(
      agents.flatMap((agent) =>
        Array.from({ length: 6 }, async () => ({ agent, sessionId: await fixture.newSession(agent) })),
      ),
    );
    const finishedRuns = async () => {
      let count = 0;
      for (const agent of agents) {
        const runs = (await fixture.server.json('GET', `/api/scheduler/cron/runs?agent_id=${agent}`)).body.data
          .runs as { status: string }[];
        count += runs.filter((run) => run.status === 'ok').length;
        expect(runs.filter((run) => run.status === 'error')).toEqual([]);
      }
      return count;
    };
    let round = 0;
    // Keep chatting in waves until every scheduled run has finished.
    while ((await finishedRuns()) < agents.length * 3) {
      const answers = await Promise.all(
        sessions.map(async ({ agent, sessionId }) => {
          const message = `${agent}/${sessionId}/wave-${round}`;
          const answer = await fixture.server.json('POST', '/api/chat', {
            agent_id: agent,
            session_id: sessionId,
            message,
            stream: false,
          });
          return { status: answer.status, content: answer.body?.data?.content, message };
        }),
      );
      for (const answer of answers)
        expect({ status: answer.status, content: answer.content }).toEqual({
          status: 200,
          content: `echo: ${answer.message}`,
        });
      round++;
      if (round > 200) throw new Error('scheduled runs did not finish');
    }
    expect(round).toBeGreaterThan(0);
    for (const agent of agents) {
      const jobs = (await fixture.server.json('GET', `/api/scheduler/cron/jobs?agent_id=${agent}`)).body.data.jobs as {
        id: string;
      }[];
      const runs = (await fixture.server.json('GET', `/api/scheduler/cron/runs?agent_id=${agent}`)).body.data.runs as {
        job_id: string;
        status: string;
      }[];
      for (const job of jobs)
        expect(runs.filter((run) => run.job_id === job.id && run.status === 'ok')).toHaveLength(1);
    }
    for (const { agent, sessionId } of sessions) {
      const history = (await fixture.server.json('GET', `/api/sessions/${sessionId}/history?agent_id=${agent}`)).body
        .data.messages;
      expect(history).toHaveLength(round * 2);
    }
  }, 60_000);
});
