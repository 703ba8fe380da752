// Records which functions the single executable runs when it starts, warms and serves a few chats, in the order it
// first runs them, into scripts/mini-openclaw.order. `npm run build` lays the binary's bytecode out by it
// (`--bytecode-order`): what a server runs sits together at the front of the file, so a server touches fewer of the
// binary's pages (about 5 MB less resident memory at idle, README "Turn cost: sixth round").
// Run: npm run record:bytecode-order   (then npm run build). Functions are matched by a hash of their syntax, so an
// older recording still applies to code that changed since; functions it does not know are laid out after the rest.
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { buildArguments, callBinary, cleanEnv, startBinary, type RunningBinary } from '../test/support/compiled-binary';
import { startFakeOpenAiServer } from '../test/support/fake-openai-server';
import { readSse } from '../test/support/sse-client';
import { makeTempDir } from '../test/support/temp-dir';

const ORDER_FILE = join(import.meta.dir, 'mini-openclaw.order');
const CHATS = 5;
const MIN_FUNCTIONS = 10_000;
const WARMED = 'turn code paths warmed';

/** Resolves once the server has logged that warming is done, or throws with its log after `timeoutMs`. */
async function warmed(server: RunningBinary, timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  while (!server.stderr().includes(WARMED)) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`the server did not finish warming:\n${server.stderr()}`);
    await Bun.sleep(50);
  }
}

/** One streamed first turn in a new session, as the web client sends it, read to its end. */
async function chat(server: RunningBinary, message: string): Promise<void> {
  const created = await callBinary(server, 'POST', '/api/sessions');
  const response = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, session_id: created.body.data.session_id }),
  });
  const events = await readSse(response);
  if (events.at(-1)?.event !== 'title') throw new Error(`chat ended with ${events.at(-1)?.event}`);
}

/** Builds the binary the way `npm run build` does, but without an order (a recording need not exist yet). */
async function build(outfile: string): Promise<void> {
  const args = buildArguments(outfile).filter((arg) => !arg.startsWith('--bytecode-order'));
  const child = Bun.spawn({
    cmd: [process.execPath, 'build', ...args],
    cwd: join(import.meta.dir, '..'),
    stdout: 'inherit',
  });
  if ((await child.exited) !== 0) throw new Error('bun build failed');
}

using temp = makeTempDir('record-bytecode-order-');
const binary = join(temp.path, 'mini-openclaw');
const recording = join(temp.path, 'run.order');
await build(binary);
await using model = await startFakeOpenAiServer();
const server = await startBinary(binary, {
  cwd: temp.path,
  args: ['serve', '--port', '0', '--data-dir', join(temp.path, 'data')],
  env: cleanEnv({
    LLM_BASE_URL: model.baseUrl,
    LLM_MODEL: 'fake-model',
    LLM_API_KEY: 'recording',
    APP_LOG_LEVEL: 'debug',
    BUN_BYTECODE_ORDER_OUT: recording,
  }),
});
let played: Error | undefined;
try {
  await warmed(server);
  for (let index = 0; index < CHATS; index++) await chat(server, `recording ${index}`);
  for (const path of [
    '/api/health',
    '/api/sessions',
    '/api/agents',
    '/api/usage/summary',
    '/api/files/index',
    '/api/skills',
  ]) {
    const { status } = await callBinary(server, 'GET', path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
  }
} catch (error) {
  played = error instanceof Error ? error : new Error(String(error));
}
// The recording is written as the server exits, so it is stopped either way.
const code = await server.stop();
if (played) throw played;
if (code !== 0) throw new Error(`the server exited with ${code}:\n${server.stderr()}`);
const lines = existsSync(recording) ? readFileSync(recording, 'utf8').split('\n') : [];
// A recording starts with its format's version line; a start and five chats run tens of thousands of functions.
if (!/^v\d+$/.test(lines[0] ?? '') || lines.length < MIN_FUNCTIONS)
  throw new Error(`the server wrote no usable bytecode order (${lines.length} lines)`);
// Copied beside the committed file first, then renamed over it: an interrupted copy never leaves half a recording.
const staged = `${ORDER_FILE}.new`;
copyFileSync(recording, staged);
chmodSync(staged, 0o644);
renameSync(staged, ORDER_FILE);
console.log(`wrote ${ORDER_FILE} (${lines.length} lines)`);
