// `.env` in the working folder is read by our parser only, however the server is started: a `$` in a value stays
// literal (Bun's own loader would expand it, and weaken APP_API_TOKEN), and Bun's other dotenv files are not read.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanEnv,
  REPO_ROOT,
  type RunningBinary,
  sharedBinary,
  startBinary,
  waitForStatus,
} from '../../support/compiled-binary';
import { startBundle } from '../../support/start-bundle';
import { makeTempDir } from '../../support/temp-dir';

const TOKEN = 's3cr3t$Pass%word';
/** What Bun's loader makes of TOKEN: `$Pass` read as an unset variable. */
const EXPANDED = 's3cr3t%word';

let binary: string;
beforeAll(async () => {
  binary = await sharedBinary();
}, 120_000);

const running = new Set<RunningBinary>();
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
});

type Start = (cwd: string) => Promise<RunningBinary>;
const env = cleanEnv({ APP_LOG_LEVEL: 'warn' });
const starts: [string, Start][] = [
  [
    'bun src/main.ts, from a folder without bunfig.toml',
    (cwd) => startBinary(process.execPath, { cwd, args: [join(REPO_ROOT, 'src', 'main.ts'), '--port', '0'], env }),
  ],
  ['the bundle, as npm start runs it', (cwd) => startBundle({ cwd, args: ['--port', '0'], env })],
  ['the compiled binary', (cwd) => startBinary(binary, { cwd, args: ['--port', '0'], env })],
];

const status = async (server: RunningBinary, path: string, token: string) => {
  const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
};

describe('.env values with `$`', () => {
  for (const [name, start] of starts) {
    it(`keeps them literal and ignores .env.local: ${name}`, async () => {
      using folder = makeTempDir('moc-dotenv-dollar-');
      writeFileSync(join(folder.path, '.env'), `APP_API_TOKEN=${TOKEN}\nLLM_MODEL=mo$del-x\n`);
      writeFileSync(join(folder.path, '.env.local'), 'APP_API_TOKEN=from-env-local\n');
      const server = await start(folder.path);
      running.add(server);
      await waitForStatus(`${server.url}/api/health`);

      expect((await status(server, '/api/agents', TOKEN)).status).toBe(200);
      expect((await status(server, '/api/agents', EXPANDED)).status).toBe(401);
      expect((await status(server, '/api/agents', 'from-env-local')).status).toBe(401);
      const llm = await status(server, '/api/config/llm', TOKEN);
      expect(llm.body.data.profiles.map((profile: { model: string }) => profile.model)).toEqual(['mo$del-x']);

      expect(await server.stop('SIGTERM', 5000)).toBe(0);
      running.delete(server);
    }, 30_000);
  }
});
