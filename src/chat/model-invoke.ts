// One non-streamed model call (titles, summaries): on a model worker when there are any, else here.
import { sharedChatModel } from './model-cache';
import type { ChatModelOptions } from './model-factory';
import { toWireMessage, type WireMessage } from './model-worker/wire';
import { modelWorkerPool } from './model-worker/worker-pool';

/** A chat message as a one-shot call sends it. */
export interface PlainMessage {
  role: string;
  content: string;
}

/**
 * Sends `messages` to the model of `options` (streaming off) and returns its reply in plain form; throws what the call
 * throws. `signal` aborts the call (on a model worker too).
 */
export async function invokeModel(
  options: Omit<ChatModelOptions, 'streaming'>,
  messages: PlainMessage[],
  signal?: AbortSignal,
): Promise<WireMessage> {
  signal?.throwIfAborted();
  const pool = modelWorkerPool();
  if (pool)
    return pool.invoke({ llm: options.llm, model: options.model, llmRuntime: options.runtime, messages }, signal);
  const model = await sharedChatModel({ ...options, streaming: false });
  const input = messages.map((message) => [message.role, message.content] as [string, string]);
  // The call gets a signal of its own, aborted once it has answered: the OpenAI SDK joins the signal it is given
  // with its own through AbortSignal.any, and in Bun what that joins stays reachable while the caller's signal
  // could still abort (a compression's lived on after it, hundreds of them held at a time).
  const call = new AbortController();
  const forward = () => call.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  // Aborted while the client was made: its `abort` event has fired already, before `forward` listened.
  if (signal?.aborted) forward();
  try {
    return toWireMessage(await model.invoke(input, { signal: call.signal })) as WireMessage;
  } finally {
    signal?.removeEventListener('abort', forward);
    call.abort();
  }
}
