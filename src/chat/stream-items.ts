// The LangGraph stream items a chat turn reads (`messages` + `updates` modes), typed narrowly and checked at runtime.

/** A tool call of a completed model message: the part of LangChain's `ToolCall` the mapper reads. */
export interface StreamToolCall {
  name?: string;
  args?: unknown;
}

/**
 * The fields of a LangChain message (AIMessage, AIMessageChunk, ToolMessage) the mapper reads. `content` is a
 * string or provider-specific blocks (read by message-text.ts); usage fields are read by usage-extraction.ts.
 */
export interface StreamMessage {
  content?: unknown;
  tool_calls?: StreamToolCall[];
  name?: string;
  tool_call_id?: string;
  additional_kwargs?: Record<string, unknown>;
}

/** One node's state update: the messages it added. */
export interface NodeUpdate {
  node: string;
  messages: StreamMessage[];
}

/**
 * One item of a turn's agent stream (`withModelTokens` over `agent.stream(..., { streamMode: ['updates'] })`, in
 * the shape of LangGraph's `messages` and `updates` modes): a message chunk as the model streams it, with the graph
 * node that produced it, or the state updates of the nodes that just finished.
 */
export type StreamItem =
  | { mode: 'messages'; message: StreamMessage; node: string | undefined }
  | { mode: 'updates'; updates: NodeUpdate[] };

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isOptional = (value: unknown, type: 'string' | 'object') =>
  value === undefined || (type === 'object' ? isFields(value) : typeof value === type);
const isToolCall = (value: unknown): value is StreamToolCall => isFields(value) && isOptional(value.name, 'string');

/** True when `value` has the shape of a LangChain message in every field the mapper reads. */
export function isStreamMessage(value: unknown): value is StreamMessage {
  if (!isFields(value)) return false;
  const calls = value.tool_calls;
  return (
    (calls === undefined || (Array.isArray(calls) && calls.every(isToolCall))) &&
    isOptional(value.name, 'string') &&
    isOptional(value.tool_call_id, 'string') &&
    isOptional(value.additional_kwargs, 'object')
  );
}

/** A node's messages: its update's `messages` that are messages (LangGraph types updates as `any`). */
function nodeMessages(update: unknown): StreamMessage[] {
  const messages = isFields(update) ? update.messages : undefined;
  return Array.isArray(messages) ? messages.filter(isStreamMessage) : [];
}

/**
 * The typed item of one raw stream value (`[mode, chunk]`), or null for a value of another mode or shape,
 * which the turn ignores. A `messages` chunk is `[message, metadata]`; an `updates` chunk maps node names
 * to their updates (a node whose update holds no messages is left out).
 */
export function toStreamItem(raw: unknown): StreamItem | null {
  if (!Array.isArray(raw) || raw.length !== 2) return null;
  const [mode, chunk] = raw as [unknown, unknown];
  if (mode === 'messages') {
    if (!Array.isArray(chunk)) return null;
    const [message, metadata] = chunk as [unknown, unknown];
    if (!isStreamMessage(message)) return null;
    const node =
      isFields(metadata) && typeof metadata.langgraph_node === 'string' ? metadata.langgraph_node : undefined;
    return { mode, message, node };
  }
  if (mode === 'updates' && isFields(chunk)) {
    const updates: NodeUpdate[] = [];
    for (const [node, update] of Object.entries(chunk)) {
      const messages = nodeMessages(update);
      if (messages.length > 0) updates.push({ node, messages });
    }
    return { mode, updates };
  }
  return null;
}
