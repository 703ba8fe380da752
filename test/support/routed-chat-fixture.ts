// A test server whose model route has two fake providers (`primary`, `backup`) and a clock the test moves.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../src/shared/clock';
import { chatClient } from './chat-fixture';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fake-openai-server';
import { startTestServer, type TestServer } from './start-test-server';
import { makeTempDir } from './temp-dir';

export interface RoutedChatFixture {
  server: TestServer;
  primary: FakeOpenAiServer;
  backup: FakeOpenAiServer;
  /** Moves the server's clock forward (breaker cool-downs). */
  advance(ms: number): void;
  newSession(agentId?: string): Promise<string>;
  chat(body: Record<string, unknown>): Promise<Response>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface RoutedChatOptions {
  /** Keys merged over the global config.json (after the two profiles and the route). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Keys added to each profile (prices, headers). */
  profileExtras?: { primary?: Record<string, unknown>; backup?: Record<string, unknown> };
}

/**
 * Profiles `primary` (model `primary-model`, key PRIMARY_KEY, 1 s timeout, header `X-Route: primary ${ENV:ROUTE_TAG}`
 * with ROUTE_TAG=blue) and `backup` (`backup-model`,
 * BACKUP_KEY); route primary -> backup; no retries unless `config` says otherwise.
 */
export async function startRoutedChatFixture(options: RoutedChatOptions = {}): Promise<RoutedChatFixture> {
  const primary = await startFakeOpenAiServer();
  const backup = await startFakeOpenAiServer();
  const temp = makeTempDir('moc-routed-');
  writeFileSync(
    join(temp.path, 'config.json'),
    JSON.stringify({
      agent_runtime: { max_retries: 0 },
      llm_profiles: {
        primary: {
          base_url: primary.baseUrl,
          model: 'primary-model',
          api_key_env: 'PRIMARY_KEY',
          timeout_seconds: 1,
          headers: { 'X-Route': 'primary ${ENV:ROUTE_TAG}' },
          ...options.profileExtras?.primary,
        },
        backup: {
          base_url: backup.baseUrl,
          model: 'backup-model',
          api_key_env: 'BACKUP_KEY',
          ...options.profileExtras?.backup,
        },
      },
      llm_route: { default: 'primary', fallbacks: ['backup'] },
      ...options.config,
    }),
  );
  let offsetMs = 0;
  const clock: Clock = { nowMs: () => Date.now() + offsetMs };
  const server = await startTestServer({
    dataDir: temp.path,
    env: { PRIMARY_KEY: 'primary-secret', BACKUP_KEY: 'backup-secret', ROUTE_TAG: 'blue', ...options.env },
    overrides: { sleep: () => Promise.resolve(), clock },
  });
  return {
    server,
    primary,
    backup,
    advance: (ms) => {
      offsetMs += ms;
    },
    ...chatClient(server),
    async [Symbol.asyncDispose]() {
      await server.stop();
      await primary.stop();
      await backup.stop();
      temp[Symbol.dispose]();
    },
  };
}
