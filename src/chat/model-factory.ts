// Builds the LangChain chat model from settings: base URL, key, model, tool-loop override, runtime knobs, stream guard.
import type { ChatOpenAI, ChatOpenAICompletions, OpenAIClient } from '@langchain/openai';
import { type LlmSettings, readModelOverrides } from '../config';
import type { RuntimeConfig } from '../config';
import { envProfile } from '../llm';
import { AppError } from '../shared/app-error';
import { boundedFetch, STREAM_ACTIVITY } from './bounded-fetch';
import { loadLangChain, type LangChainRuntime } from './langchain-runtime';
import { guardModelStream } from './model-stream-guard';
import { pacedStream } from './stream-pacing';

export interface ResolvedLlm {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Extra request headers of the profile. */
  headers?: Record<string, string>;
  /** The profile's timeout, over `llm_runtime.timeout_seconds`. */
  timeoutSeconds?: number | null;
}

/** The model endpoint of the LLM_* variables (the `default` profile), or 503 `llm_not_configured` naming the variables to set. */
export function resolveLlm(settings: LlmSettings): ResolvedLlm {
  const { baseUrl, apiKey, model, runnable } = envProfile(settings);
  if (!runnable) {
    throw new AppError(
      'llm_not_configured',
      'No chat model is configured: set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY (or DEEPSEEK_API_KEY) and restart.',
      { variables: ['LLM_BASE_URL', 'LLM_MODEL', 'LLM_API_KEY'] },
    );
  }
  return { baseUrl, apiKey, model };
}

/** Parses TOOL_LOOP_MODEL_OVERRIDES (see `readModelOverrides`; at start an unreadable item is refused), keys lower-cased. */
export function parseModelOverrides(raw: string): Map<string, string> {
  return readModelOverrides(raw).overrides;
}

/** The model for a run: the configured one, or the tool-loop override whenever tools are bound. */
export function resolveToolLoopModel(
  model: string,
  hasTools: boolean,
  settings: Pick<LlmSettings, 'toolLoopModel' | 'toolLoopModelOverrides'>,
): string {
  if (!hasTools) return model;
  if (settings.toolLoopModel.trim()) return settings.toolLoopModel.trim();
  return parseModelOverrides(settings.toolLoopModelOverrides).get(model.toLowerCase()) ?? model;
}

export interface ChatModelOptions {
  llm: ResolvedLlm;
  model: string;
  runtime: RuntimeConfig['llm_runtime'];
  streaming: boolean;
}

/**
 * OpenAI's reasoning models (o1, o3, o4-mini…, gpt-5 but not gpt-5-chat) refuse any temperature but
 * their default, so `llm_runtime.temperature` is not sent to them.
 */
export function acceptsTemperature(model: string): boolean {
  const name = model.toLowerCase().replace(/^.*\//, '');
  if (/^o\d/.test(name)) return false;
  if (/^gpt-[5-9]/.test(name) && !/^gpt-[5-9][\d.]*-chat/.test(name)) return false;
  return true;
}

type StreamingRequest = OpenAIClient.Chat.ChatCompletionCreateParamsStreaming;
type OneShotRequest = OpenAIClient.Chat.ChatCompletionCreateParamsNonStreaming;
type ChunkStream = AsyncIterable<OpenAIClient.Chat.Completions.ChatCompletionChunk>;

let guardedCompletions: typeof ChatOpenAICompletions | undefined;

/** The silence a stream is allowed when the client has no timeout of its own (createChatModel always sets one). */
const DEFAULT_IDLE_MS = 120_000;

/**
 * ChatOpenAI's Chat Completions client with every streamed answer passed through `guardModelStream`, so a
 * stream that ends without a finish_reason fails instead of becoming the reply, and one silent for the model
 * timeout is aborted and fails. Every streaming path of
 * LangChain (`_streamResponseChunks`, `_streamChatModelEvents`, `_generate`) asks `completionWithRetry`.
 * Models LangChain sends to the Responses API (`*-pro`, `codex`…) are not guarded.
 */
function completionsWithStreamGuard(runtime: LangChainRuntime): typeof ChatOpenAICompletions {
  guardedCompletions ??= class extends runtime.ChatOpenAICompletions {
    override completionWithRetry(
      request: StreamingRequest,
      options?: OpenAIClient.RequestOptions,
    ): Promise<ChunkStream>;
    override completionWithRetry(
      request: OneShotRequest,
      options?: OpenAIClient.RequestOptions,
    ): Promise<OpenAIClient.Chat.ChatCompletion>;
    override async completionWithRetry(
      request: StreamingRequest | OneShotRequest,
      options?: OpenAIClient.RequestOptions,
    ): Promise<ChunkStream | OpenAIClient.Chat.ChatCompletion> {
      if (request.stream !== true) return super.completionWithRetry(request, options);
      // The stall watch aborts this request alone; the caller's signal still aborts it too.
      const watchdog = new AbortController();
      const caller = options?.signal ?? undefined;
      const signal = caller ? AbortSignal.any([caller, watchdog.signal]) : watchdog.signal;
      // Any byte of the body shows the stream alive (keep-alive comments too), not only a parsed chunk.
      const activity = { lastMs: performance.now() };
      // A key of our own beside the SDK's fetch options: it passes them on to the fetch whole.
      const fetchOptions = {
        ...options?.fetchOptions,
        [STREAM_ACTIVITY]: activity,
      } as unknown as OpenAIClient.RequestOptions['fetchOptions'];
      const chunks = await super.completionWithRetry(request, { ...options, signal, fetchOptions });
      const stall = { idleMs: this.timeout ?? DEFAULT_IDLE_MS, abort: () => watchdog.abort(), activity };
      return pacedStream(guardModelStream(chunks, request, caller, stall));
    }
  };
  return guardedCompletions;
}

/** A ChatOpenAI client (LangChain loads on the first one); HTTP retries are left to the agent runner's own policy. */
export async function createChatModel({ llm, model, runtime, streaming }: ChatModelOptions): Promise<ChatOpenAI> {
  const langChain = await loadLangChain();
  const fields = {
    model,
    apiKey: llm.apiKey,
    configuration: {
      baseURL: llm.baseUrl,
      fetch: boundedFetch(),
      ...(llm.headers ? { defaultHeaders: llm.headers } : {}),
    },
    ...(acceptsTemperature(model) ? { temperature: runtime.temperature } : {}),
    timeout: (llm.timeoutSeconds ?? runtime.timeout_seconds) * 1000,
    streaming,
    streamUsage: true,
    maxRetries: 0,
  };
  const completions = new (completionsWithStreamGuard(langChain))(fields);
  // Its HTTP client is otherwise made on the first call (0.15 ms warm, 3 ms cold): a client is shared between turns
  // (model-cache.ts), so making it here costs nothing more and the first turn does not wait for it.
  completions._getClientOptions(undefined);
  return new langChain.ChatOpenAI({ ...fields, completions });
}
