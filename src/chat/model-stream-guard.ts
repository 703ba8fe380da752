// Decides when a streamed model reply is complete: a finish_reason, not the end of the HTTP body, ends a reply.
import type { OpenAIClient } from '@langchain/openai';
import { countTokens, countTokensYielding } from './token-counter';

type ChatCompletionChunk = OpenAIClient.Chat.Completions.ChatCompletionChunk;
type PromptRequest = Pick<OpenAIClient.Chat.ChatCompletionCreateParams, 'messages' | 'tools'>;

/** OpenAI's chat format costs about this many tokens around every message, and as many to prime the reply. */
const TOKENS_PER_MESSAGE = 3;

/** What a stream that ended early had delivered, counted with the local tokenizer (the provider sent no usage). */
export interface StreamEstimate {
  input_tokens: number;
  output_tokens: number;
}

/**
 * A streamed completion that ended before the model finished: the body closed without a `finish_reason`
 * (OpenAI's SDK ends such a stream silently, even without `[DONE]`), the connection broke mid-body, or
 * nothing came for `stalledMs`. Carries the estimated usage of the call; `cause` is the transport error
 * when there was one.
 */
export class ModelStreamIncompleteError extends Error {
  override readonly name = 'ModelStreamIncompleteError';

  constructor(
    readonly estimate: StreamEstimate,
    readonly receivedChunks: number,
    options?: { cause?: unknown; stalledMs?: number },
  ) {
    const how = options?.stalledMs
      ? `the model sent nothing for ${Math.round(options.stalledMs / 1000)} s`
      : options?.cause
        ? 'the connection broke'
        : 'the stream closed without a finish_reason';
    super(`The model stream ended before the reply was finished: ${how} after ${receivedChunks} chunk(s).`, options);
  }
}

/** How long a stream may stay silent, and how to stop its request when it does. */
export interface StallWatch {
  idleMs: number;
  abort: () => void;
  /**
   * When the stream last showed life, stamped by each chunk and, given to the request's fetch (see
   * `STREAM_ACTIVITY` in bounded-fetch.ts), by any byte: a provider that thinks quietly sends keep-alive
   * comments the SDK drops, and is not silent.
   */
  activity?: { lastMs: number };
}

/**
 * The most characters (text, reasoning, tool-call names and arguments) one streamed reply may carry. The
 * largest output limits are about 128k tokens, a few MB of text; past this the reply is a runaway or a
 * hostile provider, and LangChain, which accumulates every chunk, would hold it several times over.
 */
export const MAX_MODEL_REPLY_CHARS = 8 * 1024 * 1024;

/**
 * A streamed reply passed `maxChars` characters: its request was aborted and the rest never read. Carries the
 * estimated usage of the call (the provider billed what it sent, and sent no usage).
 */
export class ModelReplyTooLargeError extends Error {
  override readonly name = 'ModelReplyTooLargeError';

  constructor(
    readonly maxChars: number,
    readonly estimate: StreamEstimate,
  ) {
    super(
      `The model's reply passed ${Math.round(maxChars / 1024 / 1024)} MiB of text and tool-call arguments; it was cut off.`,
    );
  }
}

/** The usage estimate of a stream cut short (ended early, or too large) inside `error`'s cause chain, if any. */
export function streamEstimateOf(error: unknown): StreamEstimate | null {
  return (
    causeOf(error, (link) => link instanceof ModelStreamIncompleteError || link instanceof ModelReplyTooLargeError)
      ?.estimate ?? null
  );
}

/** The ModelStreamIncompleteError inside `error` (LangChain and LangGraph may wrap it as a `cause`), if any. */
export function incompleteStreamOf(error: unknown): ModelStreamIncompleteError | null {
  return causeOf(error, (link) => link instanceof ModelStreamIncompleteError);
}

/** `error` or the first of its causes (five links at most) that `is` picks. */
function causeOf<T>(error: unknown, is: (link: unknown) => link is T): T | null {
  let current = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (is(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const textOfContent = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
    .join('');
};

/**
 * Prompt tokens of a chat request, estimated the way OpenAI's cookbook counts them: each message's role,
 * text, name and tool calls, 3 tokens around each message and 3 to prime the reply, plus the tool
 * schemas as JSON. Image parts are not counted.
 */
export function estimatePromptTokens(request: PromptRequest): number {
  let total = TOKENS_PER_MESSAGE;
  for (const message of request.messages) {
    total += TOKENS_PER_MESSAGE + countTokens(message.role) + countTokens(textOfContent(message.content));
    if ('name' in message && message.name) total += countTokens(message.name) + 1;
    if ('tool_calls' in message) {
      for (const call of message.tool_calls ?? [])
        if (call.type === 'function') total += countTokens(call.function.name) + countTokens(call.function.arguments);
    }
  }
  if (request.tools?.length) total += countTokens(JSON.stringify(request.tools));
  return total;
}

/**
 * Passes the chunks of a streamed completion through and throws ModelStreamIncompleteError when the
 * body ends with no `finish_reason` seen, or breaks (a fetch network error is a TypeError) before one,
 * or, with `stall`, shows no life for `stall.idleMs` (the request is then aborted: the SDK's own timeout
 * ends once the headers are in, so a provider that stops mid-body would hold the turn forever; one that stops
 * after its finish_reason ends the reply as it is).
 * A finish_reason without `[DONE]` counts as complete. A stream the caller aborted ends quietly, so
 * LangChain reports the abort itself. A reply past `maxReplyChars` throws ModelReplyTooLargeError (with its
 * estimated usage) and its request is aborted.
 */
export async function* guardModelStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  request: PromptRequest,
  signal?: AbortSignal,
  stall?: StallWatch,
  maxReplyChars = MAX_MODEL_REPLY_CHARS,
): AsyncGenerator<ChatCompletionChunk> {
  let finished = false;
  let received = 0;
  // Only a sum on the hot path: the reply's size is known without joining or measuring anything more.
  let replyChars = 0;
  // One timer for the whole stream: a chunk only stamps the time, and the timer re-arms for what is left.
  const activity = stall?.activity ?? { lastMs: performance.now() };
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = (delayMs: number) => {
    timer = setTimeout(() => {
      const silentMs = performance.now() - activity.lastMs;
      if (silentMs < stall!.idleMs) return watch(stall!.idleMs - silentMs);
      stalled = true;
      stall!.abort();
    }, delayMs);
  };
  if (stall) watch(stall.idleMs);
  // The reply so far: text, reasoning, and each tool call's name and arguments, counted whole at the end.
  const output = new Map<string, string>();
  const append = (key: string, piece: unknown) => {
    if (typeof piece !== 'string' || !piece) return false;
    replyChars += piece.length;
    output.set(key, (output.get(key) ?? '') + piece);
    return true;
  };
  const fail = (cause?: unknown, stalledMs?: number) => {
    const outputTokens = [...output.values()].reduce((sum, text) => sum + countTokens(text), 0);
    return new ModelStreamIncompleteError(
      { input_tokens: estimatePromptTokens(request), output_tokens: outputTokens },
      received,
      { ...(cause === undefined ? {} : { cause }), ...(stalledMs === undefined ? {} : { stalledMs }) },
    );
  };
  try {
    for await (const chunk of chunks) {
      activity.lastMs = performance.now();
      for (const choice of chunk.choices ?? []) {
        if (choice.finish_reason) finished = true;
        const delta = choice.delta as (typeof choice.delta & { reasoning_content?: unknown }) | undefined;
        if (!delta) continue;
        // Some OpenAI-compatible servers never send the role; LangChain then builds a generic chat message,
        // which the agent refuses ("expected AIMessage"). A completion's deltas are the assistant's.
        if (!delta.role) delta.role = 'assistant';
        let carried = append('content', delta.content);
        carried = append('reasoning', delta.reasoning_content) || carried;
        for (const call of delta.tool_calls ?? []) {
          carried = append(`call ${call.index} name`, call.function?.name) || carried;
          carried = append(`call ${call.index} arguments`, call.function?.arguments) || carried;
        }
        if (carried) received += 1;
      }
      if (replyChars > maxReplyChars) {
        stall?.abort();
        // Megabytes to count (8 MiB took seconds): the thread is given back between slices.
        let outputTokens = 0;
        for (const text of output.values()) outputTokens += await countTokensYielding(text);
        throw new ModelReplyTooLargeError(maxReplyChars, {
          input_tokens: estimatePromptTokens(request),
          output_tokens: outputTokens,
        });
      }
      yield chunk;
    }
  } catch (error) {
    // The reply was whole (its finish_reason came) and only the connection hung open: it ends as it is.
    if (stalled && finished && !signal?.aborted) return;
    if (stalled && !signal?.aborted) throw fail(error, stall!.idleMs);
    if (!finished && !signal?.aborted && error instanceof TypeError) throw fail(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // The SDK ends a stream quietly when its request is aborted, as the stall watch does.
  if (stalled && !finished && !signal?.aborted) throw fail(undefined, stall!.idleMs);
  if (!finished && !signal?.aborted) throw fail();
}
