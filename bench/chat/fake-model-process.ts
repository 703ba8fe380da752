// The fake OpenAI-compatible model as its own process on loopback, steered over IPC by the chat bench.
// Started by bench/chat/fake-model-child.ts; not meant to be run by hand.
import { startFakeOpenAiServer, type ScriptStep } from '../../test/support/fake-openai-server';
import { readThreadCpuNs } from './process-cpu';
import type { ModelArrival, ToModel } from './fake-model-child';

const model = await startFakeOpenAiServer();
let reply: ScriptStep = { kind: 'text', text: 'ok' };
/** The server whose main-thread CPU is read at every arrival (0: none). */
let watchedPid = 0;
let arrivals: ModelArrival[] = [];

/** The last user message of a request: the bench tags every turn's message, and the title request quotes it. */
const lastUserText = (body: { messages?: { role?: string; content?: unknown }[] }): string => {
  const user = (body.messages ?? []).filter((message) => message.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
};

model.setFallback((body) => {
  // Read first: this is as close to the request's arrival as the child can get.
  const serverCpuNs = watchedPid ? readThreadCpuNs(watchedPid) : NaN;
  const atMs = performance.timeOrigin + performance.now();
  const streamed = body.stream === true;
  arrivals.push({ atMs, serverCpuNs, streamed, text: lastUserText(body) });
  // Title requests are the non-streaming ones; they get a short answer so they cost little.
  return streamed ? reply : { kind: 'text', text: 'Bench' };
});

process.on('message', (message: ToModel) => {
  if (message.type === 'reply') reply = message.step;
  if (message.type === 'watch') watchedPid = message.pid;
  if (message.type === 'take') {
    process.send!({ type: 'arrivals', arrivals });
    arrivals = [];
    return;
  }
  process.send!({ type: 'ack' });
});
process.on('disconnect', () => void model.stop().then(() => process.exit(0)));
process.send!({ type: 'ready', baseUrl: model.baseUrl });
