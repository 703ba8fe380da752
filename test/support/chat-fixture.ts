// A test server wired to a fake model, plus helpers to open sessions and chat.
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fake-openai-server';
import { startTestServer, type TestServer, type TestServerOptions } from './start-test-server';

export interface ChatFixture {
  server: TestServer;
  model: FakeOpenAiServer;
  newSession(agentId?: string): Promise<string>;
  chat(body: Record<string, unknown>): Promise<Response>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opening sessions and posting turns on `server` (the chat fixtures' helpers). */
export function chatClient(server: TestServer): Pick<ChatFixture, 'newSession' | 'chat'> {
  return {
    async newSession(agentId = 'default') {
      const response = await server.json('POST', `/api/sessions?agent_id=${agentId}`);
      return response.body.data.session_id;
    },
    chat: (body) =>
      server.request('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

/** Splits answers of POST /api/chat into the accepted ones (200, streams left unread) and the refused ones' errors. */
export async function splitChatAnswers(responses: Response[]): Promise<{ accepted: Response[]; errors: any[] }> {
  const refused = responses.filter((response) => response.status !== 200);
  return {
    accepted: responses.filter((response) => response.status === 200),
    errors: await Promise.all(refused.map(async (response) => ((await response.json()) as any).error)),
  };
}

export async function startChatFixture(options: TestServerOptions = {}): Promise<ChatFixture> {
  const model = await startFakeOpenAiServer();
  const server = await startTestServer({
    ...options,
    env: { LLM_BASE_URL: model.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test-key', ...options.env },
    overrides: { sleep: () => Promise.resolve(), ...options.overrides },
  });
  return {
    server,
    model,
    ...chatClient(server),
    async [Symbol.asyncDispose]() {
      await server.stop();
      await model.stop();
    },
  };
}

/** Stores six messages `message a` … `message f` in the session, user and assistant by turns (enough to compress). */
export async function storeSixMessages(fixture: ChatFixture, sessionId: string): Promise<void> {
  const agent = fixture.server.deps.agents.get('default');
  await fixture.server.deps.sessions.of(agent).append(
    sessionId,
    ['a', 'b', 'c', 'd', 'e', 'f'].map((text, index) => ({
      role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: `message ${text}`,
    })),
  );
}
