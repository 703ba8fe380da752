// Stream paths: the CPU one 200-token reply costs this thread along four ways of reading the same model stream,
// in this process against the fake model (its own process, real HTTP and SSE on loopback, zero think time):
// the agent graph with LangGraph's 'messages' mode beside 'updates' (the server before), the agent graph with
// 'updates' only and the tokens taken from the model's callback (the server now: src/chat/model-token-stream.ts),
// ChatOpenAI's own stream with no graph, and the bare HTTP response with one JSON.parse per SSE line. It tells how
// a streamed token's CPU splits between LangGraph, LangChain and below.
// Run: node_modules/.bin/bun --smol bench/stream-path.bench.ts [turns=200] [rounds=3] [tokens=200]
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { withModelTokens } from '../src/chat/model-token-stream';
import { wordsReply } from './chat/case-kit';
import { startFakeModelChild } from './chat/fake-model-child';
import { readThreadCpuNs } from './chat/process-cpu';
import { percentile } from './chat/run-report';

const [turns = 200, rounds = 3, tokens = 200] = process.argv.slice(2).map(Number);
const WARM_UP_TURNS = 50;

// Nothing leaves loopback: a path that would fetch elsewhere (LangChain's token estimate fetching a tokenizer, say)
// fails the bench instead of measuring a network error.
const loopbackFetch = globalThis.fetch;
globalThis.fetch = Object.assign(
  (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.hostname !== '127.0.0.1') throw new Error(`the bench fetched ${url.origin}, which is not loopback`);
    return loopbackFetch(input, init);
  },
  { preconnect: loopbackFetch.preconnect },
);

const model = await startFakeModelChild();
await model.setReply(wordsReply(tokens));
const chat = new ChatOpenAI({
  model: 'fake-model',
  apiKey: 'bench',
  configuration: { baseURL: model.baseUrl },
  streaming: true,
  streamUsage: true,
  maxRetries: 0,
});
const agent = createAgent({ model: chat, tools: [] });
const messages = [
  { role: 'system', content: 'You are a bench.' },
  { role: 'user', content: 'Say something.' },
];

/** One turn along a path; resolves with the number of text pieces it saw (to check every path read the reply). */
type Path = () => Promise<number>;

const paths: Record<string, Path> = {
  "agent graph, updates + messages (LangGraph's handler)": async () => {
    let pieces = 0;
    for await (const [mode] of await agent.stream({ messages }, { streamMode: ['updates', 'messages'] }))
      if (mode === 'messages') pieces++;
    return pieces;
  },
  'agent graph, updates + token callback (the server, withModelTokens)': async () => {
    let pieces = 0;
    const items = withModelTokens((callbacks) => agent.stream({ messages }, { streamMode: ['updates'], callbacks }));
    for await (const item of items) if ((item as [string])[0] === 'messages') pieces++;
    return pieces;
  },
  'ChatOpenAI.stream, no graph': async () => {
    let pieces = 0;
    for await (const _ of await chat.stream(messages)) pieces++;
    return pieces;
  },
  'fetch + JSON.parse per SSE line': async () => {
    const response = await fetch(`${model.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body: JSON.stringify({ model: 'fake-model', stream: true, messages }),
    });
    let pieces = 0;
    for (const line of (await response.text()).split('\n'))
      if (line.startsWith('data: {')) pieces += JSON.parse(line.slice(6)).choices?.length ? 1 : 0;
    return pieces;
  },
};

/** Main-thread CPU per turn (ms) over `count` turns of `path`, and the pieces each saw. */
async function measure(path: Path, count: number): Promise<{ cpuMs: number[]; pieces: Set<number> }> {
  const cpuMs: number[] = [];
  const pieces = new Set<number>();
  for (let turn = 0; turn < count; turn++) {
    const before = readThreadCpuNs(process.pid);
    pieces.add(await path());
    cpuMs.push((readThreadCpuNs(process.pid) - before) / 1e6);
  }
  return { cpuMs, pieces };
}

const results = new Map<string, number[]>();
try {
  for (const path of Object.values(paths)) await measure(path, WARM_UP_TURNS);
  await model.takeArrivals();
  for (let round = 0; round < rounds; round++)
    for (const [name, path] of Object.entries(paths)) {
      const { cpuMs, pieces } = await measure(path, turns);
      if (pieces.size !== 1) throw new Error(`${name} saw a different number of pieces between turns: ${[...pieces]}`);
      const p50 = percentile(cpuMs, 50);
      results.set(name, [...(results.get(name) ?? []), p50]);
      console.log(`round ${round + 1}: ${name}: ${p50.toFixed(2)} ms per turn p50, ${[...pieces][0]} pieces`);
    }
} finally {
  await model.takeArrivals();
  await model.stop();
}

console.log(
  `\n| path (${tokens}-token reply, ${turns} turns × ${rounds} rounds) | main-thread CPU per turn, p50 of each round |`,
);
console.log('| --- | ---: |');
for (const [name, values] of results) {
  const low = Math.min(...values).toFixed(2);
  const high = Math.max(...values).toFixed(2);
  console.log(`| ${name} | ${low === high ? low : `${low}–${high}`} ms |`);
}
