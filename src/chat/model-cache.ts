// Chat model clients kept between turns: one per endpoint, key, model and runtime knobs, as LangChain's models are meant to be shared.
import type { ChatOpenAI } from '@langchain/openai';
import { lruCached } from '../shared/lru-cache';
import { createChatModel, type ChatModelOptions } from './model-factory';

/** Distinct clients kept; past it the least recently used is dropped (a client holds no open request of its own). */
const MAX_CLIENTS = 32;

const clients = new Map<string, Promise<ChatOpenAI>>();

/**
 * `createChatModel(options)`, built once per distinct options and reused: a client holds its settings and its
 * HTTP client, and every call passes its messages, signal and callbacks, so turns running at once can share one.
 * Building one took about 8 % of a turn's CPU before its model call.
 */
export function sharedChatModel(options: ChatModelOptions): Promise<ChatOpenAI> {
  // Every option is plain data and counts: a client is reused only for exactly the same settings.
  const key = JSON.stringify(options);
  return lruCached(clients, key, MAX_CLIENTS, () => {
    const created = createChatModel(options);
    // A failed build is not kept: the next turn tries again.
    created.catch(() => clients.delete(key));
    return created;
  });
}
