// Chat model clients kept between turns: one per endpoint, key, model and runtime knobs, as LangChain's models are meant to be shared.
import type { ChatOpenAI } from '@langchain/openai';
import { lruCached } from '../shared/lru-cache';
import { createChatModel, type ChatModelOptions } from './model-factory';

/** Distinct clients kept; past it the least recently used is dropped (a client holds no open request of its own). */
const MAX_CLIENTS = 32;

interface CachedClient {
  baseUrl: string;
  client: Promise<ChatOpenAI>;
}

const clients = new Map<string, CachedClient>();

/**
 * `createChatModel(options)`, built once per distinct options and reused: a client holds its settings and its
 * HTTP client, and every call passes its messages, signal and callbacks, so turns running at once can share one.
 * Building one took about 8 % of a turn's CPU before its model call.
 */
export function sharedChatModel(options: ChatModelOptions): Promise<ChatOpenAI> {
  // Every option is plain data and counts: a client is reused only for exactly the same settings.
  const key = JSON.stringify(options);
  return lruCached(clients, key, MAX_CLIENTS, () => {
    const client = createChatModel(options);
    // A failed build is not kept: the next turn tries again.
    client.catch(() => clients.delete(key));
    return { baseUrl: options.llm.baseUrl, client };
  }).client;
}

/**
 * Drops the clients made for the endpoint at `baseUrl`, and with them their agent graphs (agent-graph-cache.ts).
 * For an endpoint that is gone: the warm-up's model inside the process, once it has played.
 */
export function forgetChatModels(baseUrl: string): void {
  for (const [key, cached] of clients) if (cached.baseUrl === baseUrl) clients.delete(key);
}

/** The endpoints of the clients kept now (what a test reads). */
export const cachedChatModelUrls = (): string[] => [...new Set([...clients.values()].map((cached) => cached.baseUrl))];
