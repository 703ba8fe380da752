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
 * throws. `signal` aborts the call: the request is given up here; on a model worker only the wait for it ends (the
 * worker protocol has no abort for one-shot calls; its reply is dropped when it comes).
 */
export async function invokeModel(
  options: Omit<ChatModelOptions, 'streaming'>,
  messages: PlainMessage[],
  signal?: AbortSignal,
): Promise<WireMessage> {
  signal?.throwIfAborted();
  const pool = modelWorkerPool();
  if (pool)
    return untilAborted(
      pool.invoke({ llm: options.llm, model: options.model, llmRuntime: options.runtime, messages }),
      signal,
    );
  const model = await sharedChatModel({ ...options, streaming: false });
  const input = messages.map((message) => [message.role, message.content] as [string, string]);
  return toWireMessage(await model.invoke(input, { signal })) as WireMessage;
}

/** `call`, or its rejection with `signal`'s reason once that aborts first. */
function untilAborted<T>(call: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return call;
  let onAbort = () => {
    // Replaced below once the race's rejecter exists.
  };
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([call, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
