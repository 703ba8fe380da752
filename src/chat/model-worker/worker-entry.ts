// A model worker: runs LangChain's side of turns (the agent graph, the model client) off the server thread.
// Tool calls, checkpoints and everything stored stay on the server thread; they cross as messages (wire.ts).
declare const self: Worker;

import { streamAgentHere } from '../agent-stream';
import { loadLangChain } from '../langchain-runtime';
import { cachedChatModelUrls, forgetChatModels, sharedChatModel } from '../model-cache';
import type { ToolGateHooks } from '../tool-gate-middleware';
import {
  type AgentStreamCore,
  jsonSafe,
  type ToServerThread,
  type ToWorker,
  toWireItem,
  toWireMessage,
  type WireMessage,
} from './wire';
import { fromWireError, toWireError } from './wire-error';

const aborts = new Map<number, AbortController>();
const toolWaits = new Map<string, { resolve(content: string): void; reject(error: Error): void }>();
/** Stream items read but not yet posted, per call: posted together when the worker next returns to its event loop. */
const pending = new Map<number, unknown[]>();
let flushScheduled = false;

function post(message: ToServerThread): void {
  try {
    self.postMessage(message);
  } catch {
    // A value structured cloning cannot carry (a class instance with functions in metadata): JSON's view of it.
    self.postMessage(jsonSafe(message));
  }
}

function flush(): void {
  flushScheduled = false;
  for (const [id, items] of pending) post({ kind: 'items', id, items });
  pending.clear();
}

/** Posts `message` after the items of its call read before it, so the server thread sees them in order. */
function postInOrder(message: ToServerThread): void {
  if (pending.has(message.id)) flush();
  post(message);
}

function queueItem(id: number, item: unknown): void {
  const items = pending.get(id);
  if (items) items.push(item);
  else pending.set(id, [item]);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

async function runStream(id: number, core: AgentStreamCore & { followSteps: boolean }): Promise<void> {
  const controller = new AbortController();
  aborts.set(id, controller);
  let seq = 0;
  const hooks: ToolGateHooks = {
    execute: (call) =>
      new Promise<string>((resolve, reject) => {
        const key = `${id}:${++seq}`;
        toolWaits.set(key, { resolve, reject });
        postInOrder({ kind: 'tool_call', id, seq, call: { id: call.callId, name: call.name, args: call.args } });
      }),
    modelStep: core.followSteps
      ? (message) => postInOrder({ kind: 'model_step', id, message: toWireMessage(message) as WireMessage })
      : undefined,
  };
  try {
    const stream = await streamAgentHere(core, hooks, controller.signal);
    for await (const raw of stream) {
      const item = toWireItem(raw);
      if (item) queueItem(id, item);
    }
    postInOrder({ kind: 'end', id });
  } catch (error) {
    postInOrder({ kind: 'error', id, chain: toWireError(error) });
  } finally {
    aborts.delete(id);
  }
}

async function runInvoke(id: number, request: Extract<ToWorker, { kind: 'invoke' }>['request']): Promise<void> {
  const controller = new AbortController();
  aborts.set(id, controller);
  try {
    const model = await sharedChatModel({
      llm: request.llm,
      model: request.model,
      runtime: request.llmRuntime,
      streaming: false,
    });
    const messages = request.messages.map((message): [string, string] => [message.role, message.content]);
    const reply = await model.invoke(messages, { signal: controller.signal });
    post({ kind: 'reply', id, reply: toWireMessage(reply) as WireMessage });
  } catch (error) {
    post({ kind: 'error', id, chain: toWireError(error) });
  } finally {
    aborts.delete(id);
    // Aborted once answered, so what the OpenAI SDK joined to it can go (see invokeModel).
    controller.abort();
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.kind) {
    case 'stream':
      void runStream(message.id, { ...message.request, llmRuntime: message.request.llmRuntime });
      return;
    case 'invoke':
      void runInvoke(message.id, message.request);
      return;
    case 'tool_result':
    case 'tool_failed': {
      const key = `${message.id}:${message.seq}`;
      const wait = toolWaits.get(key);
      toolWaits.delete(key);
      if (message.kind === 'tool_result') wait?.resolve(message.content);
      else wait?.reject(fromWireError(message.chain));
      return;
    }
    case 'abort':
      aborts.get(message.id)?.abort();
      return;
    case 'load':
      void loadLangChain().then(
        () => post({ kind: 'loaded', id: message.id }),
        (error: unknown) => post({ kind: 'error', id: message.id, chain: toWireError(error) }),
      );
      return;
    case 'forget':
      forgetChatModels(message.baseUrl);
      return;
    case 'cached':
      post({ kind: 'cached', id: message.id, urls: cachedChatModelUrls() });
      return;
  }
};
