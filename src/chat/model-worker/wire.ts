// What crosses between the server thread and a model worker: requests, stream items, tool calls, replies, errors.
import type { RuntimeConfig } from '../../config';
import type { ModelMessage } from '../../sessions';
import type { OfferedTool } from '../../tools';
import type { ResolvedLlm } from '../model-factory';
import type { TurnStep } from '../run-checkpointer';

/** One attempt of a turn as plain data: everything but the tool runner, which stays on the server thread. */
export interface AgentStreamCore {
  llm: ResolvedLlm;
  model: string;
  llmRuntime: RuntimeConfig['llm_runtime'];
  maxSteps: number;
  systemPrompt: string;
  history: ModelMessage[];
  message: string;
  tools: OfferedTool[];
  runId: string;
  steps?: TurnStep[];
}

/** An attempt as a worker runs it. */
export interface WireStreamRequest extends AgentStreamCore {
  /** Report each model step (`model_step`): a checkpointer follows the turn. */
  followSteps: boolean;
}

/** A one-shot call (titles, summaries): the chat model's options and the messages. */
export interface WireInvokeRequest {
  llm: ResolvedLlm;
  model: string;
  llmRuntime: RuntimeConfig['llm_runtime'];
  messages: { role: string; content: string }[];
}

/** The fields of a LangChain message the server thread reads (mapper, usage, checkpoints, titles). */
export interface WireMessage {
  content: unknown;
  tool_calls?: { id?: string; name: string; args: unknown }[];
  name?: string;
  tool_call_id?: string;
  additional_kwargs?: Record<string, unknown>;
  usage_metadata?: unknown;
  response_metadata?: unknown;
}

/** One link of an error's `cause` chain, with what retry, fallback and incomplete-stream handling read of it. */
export interface WireErrorLink {
  name: string;
  message: string;
  /** The error's class name (the OpenAI SDK's connection errors are told apart by it). */
  kind: string;
  status?: number;
  code?: string;
  retryAfter?: string;
  /** Set on a ModelStreamIncompleteError: its usage estimate. */
  incomplete?: { estimate: unknown };
  /** Set on a ModelReplyTooLargeError: its limit and usage estimate. */
  tooLarge?: { maxChars: number; estimate: unknown };
}

export type ToServerThread =
  | { kind: 'items'; id: number; items: unknown[] }
  | { kind: 'model_step'; id: number; message: WireMessage }
  | { kind: 'tool_call'; id: number; seq: number; call: { id?: string; name: string; args: unknown } }
  | { kind: 'end'; id: number }
  | { kind: 'reply'; id: number; reply: WireMessage }
  | { kind: 'error'; id: number; chain: WireErrorLink[] }
  | { kind: 'loaded'; id: number }
  | { kind: 'cached'; id: number; urls: string[] };

export type ToWorker =
  | { kind: 'stream'; id: number; request: WireStreamRequest }
  | { kind: 'invoke'; id: number; request: WireInvokeRequest }
  | { kind: 'tool_result'; id: number; seq: number; content: string }
  | { kind: 'tool_failed'; id: number; seq: number; chain: WireErrorLink[] }
  | { kind: 'abort'; id: number }
  | { kind: 'load'; id: number }
  /** Drop the clients made for an endpoint that is gone (no answer). */
  | { kind: 'forget'; id: number; baseUrl: string }
  /** Answer with the endpoints of the clients kept. */
  | { kind: 'cached'; id: number };

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** The plain form of a LangChain message (or anything message-shaped); other values pass as they are. */
export function toWireMessage(value: unknown): unknown {
  if (!isFields(value) || Array.isArray(value)) return value;
  const calls = Array.isArray(value.tool_calls) ? (value.tool_calls as Fields[]) : undefined;
  const message: WireMessage = { content: value.content };
  if (calls)
    message.tool_calls = calls.map((call) => ({ id: call.id as string, name: call.name as string, args: call.args }));
  if (typeof value.name === 'string') message.name = value.name;
  if (typeof value.tool_call_id === 'string') message.tool_call_id = value.tool_call_id;
  if (isFields(value.additional_kwargs)) message.additional_kwargs = value.additional_kwargs;
  if (value.usage_metadata !== undefined) message.usage_metadata = value.usage_metadata;
  if (value.response_metadata !== undefined) message.response_metadata = value.response_metadata;
  return message;
}

/**
 * A raw stream value (`[mode, chunk]`) with its messages in plain form: a `messages` chunk is `[message, metadata]`
 * (only `langgraph_node` of the metadata is kept), an `updates` chunk maps nodes to `{ messages }`.
 */
export function toWireItem(raw: unknown): unknown {
  if (!Array.isArray(raw) || raw.length !== 2) return null;
  const [mode, chunk] = raw as [unknown, unknown];
  if (mode === 'messages' && Array.isArray(chunk)) {
    const [message, metadata] = chunk as [unknown, unknown];
    const node = isFields(metadata) ? metadata.langgraph_node : undefined;
    return [mode, [toWireMessage(message), { langgraph_node: node }]];
  }
  if (mode === 'updates' && isFields(chunk)) {
    const updates: Fields = {};
    for (const [node, update] of Object.entries(chunk)) {
      const messages = isFields(update) ? update.messages : undefined;
      updates[node] = { messages: Array.isArray(messages) ? messages.map(toWireMessage) : [] };
    }
    return [mode, updates];
  }
  return null;
}

/** JSON's view of `value` (what structured cloning cannot carry, such as functions, is dropped). */
export const jsonSafe = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? null)) as T;
