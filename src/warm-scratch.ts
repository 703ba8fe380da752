// Whole turns through a scratch copy of the server: its own temporary data folder and a model inside the process.
// The first client's turn then finds every step compiled (HTTP handler, chat service, session store, SSE, usage,
// title), not only LangChain's: one such turn brought the first turn after start from 3× to under 2× steady state.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app';
import { startCannedModel } from './chat';
import type { EnvSettings } from './config';
import { buildDeps, type Deps } from './deps';
import { silentLogger } from './shared/logger';

const HOST = '127.0.0.1';
const SCRATCH_PREFIX = 'mini-openclaw-warm-';
/** A scratch folder this old is a killed server's leftover (warming takes seconds). */
const STALE_SCRATCH_MS = 10 * 60 * 1000;

/**
 * Removes scratch folders that servers killed while warming left in `parent` (the temporary folder): their
 * `finally` never ran, and each can hold a whole scratch data folder. Best effort: one that cannot go stays.
 */
export function removeStaleScratch(parent = tmpdir(), nowMs = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(SCRATCH_PREFIX));
  } catch {
    // No temporary folder to read: nothing was left there either.
    return;
  }
  for (const name of names) {
    const path = join(parent, name);
    try {
      if (nowMs - statSync(path).mtimeMs >= STALE_SCRATCH_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/** The server's settings for a scratch copy in `folder` talking to the model at `baseUrl`: SQLite, no token, no limits. */
function scratchSettings(settings: EnvSettings, folder: string, baseUrl: string): EnvSettings {
  return {
    ...settings,
    host: HOST,
    port: 0,
    dataDir: folder,
    apiToken: '',
    warmStart: false,
    indexDir: null,
    database: { ...settings.database, url: null },
    rateLimit: { ...settings.rateLimit, enabled: false },
    llm: { ...settings.llm, baseUrl, apiKey: 'warm-up', source: 'LLM' },
    embedding: { ...settings.embedding, provider: 'none' },
  };
}

/**
 * Plays `rounds` first turns (a new session each, title included) through a scratch copy of the server built
 * from the same code: its app handles the requests in the process (nothing listens), its agent lives in a
 * temporary folder that is removed after, and its model answers from inside the process. Shares the real
 * server's sandbox (warmStart waits for its verdict first). Returns the SSE events the turns sent. Throws what the copy
 * throws.
 */
export async function playScratchTurns(deps: Deps, rounds: number): Promise<number> {
  removeStaleScratch();
  const folder = mkdtempSync(join(tmpdir(), SCRATCH_PREFIX));
  try {
    using canned = startCannedModel();
    await using scratch = buildDeps(scratchSettings(deps.settings, folder, canned.baseUrl), {
      logger: silentLogger,
      // The copy's close must not stop a probe the real server runs (when the verdict is one to try again).
      sandbox: { ...deps.sandbox, stopProbe: async () => undefined },
      env: {},
      envFilePath: join(folder, '.env'),
      clock: deps.clock,
    });
    await scratch.start();
    const app = createApp(scratch);
    const post = async (path: string, body?: unknown) =>
      app.handle(
        new Request(`http://${HOST}${path}`, {
          method: 'POST',
          headers: { host: HOST, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    let events = 0;
    for (let round = 0; round < rounds; round++) {
      const created = (await (await post('/api/sessions')).json()) as { data?: { session_id?: string } };
      const sessionId = created.data?.session_id;
      if (!sessionId) throw new Error('the scratch server opened no session');
      const stream = await (await post('/api/chat', { message: 'Hello', session_id: sessionId })).text();
      events += stream.match(/^event: /gm)?.length ?? 0;
    }
    return events;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
