// Stored session messages -> the message list the model sees (summary first, assistants merged, tool context kept).
import type { StoredMessage } from '../sessions/session-types';

const OUTPUT_PREVIEW = 400;

function describeToolCalls(message: StoredMessage): string {
  if (!message.toolCalls || message.toolCalls.length === 0) return '';
  const lines = message.toolCalls.map((call) => {
    const output =
      call.output === undefined
        ? '(no result)'
        : typeof call.output === 'string'
          ? call.output
          : JSON.stringify(call.output);
    const preview = output.length > OUTPUT_PREVIEW ? `${output.slice(0, OUTPUT_PREVIEW)}…` : output;
    return `- ${call.tool} ${JSON.stringify(call.input)} -> ${preview}`;
  });
  return `[Tool calls made in this step]\n${lines.join('\n')}`;
}

/**
 * Merges runs of assistant messages (texts and tool context joined by newlines), puts the compressed
 * summary first, and skips empty entries. Tool calls are kept as a text block so the model knows what it did.
 */
/** One message as LangChain accepts it in an agent's input (it builds its own message objects from these). */
export interface ModelMessage {
  role: 'user' | 'assistant';
  content: string;
}

export function toModelHistory(messages: readonly StoredMessage[], compressedContext: string): ModelMessage[] {
  const turns: ModelMessage[] = [];
  const merged = new Set<ModelMessage>();
  const summary = compressedContext.trim();
  if (summary) turns.push({ role: 'assistant', content: `[Summary of Earlier Conversation]\n${summary}` });
  for (const message of messages) {
    // A queued message is not part of the conversation yet: it joins it when its turn runs.
    if (message.status === 'queued') continue;
    const text = [message.content.trim(), describeToolCalls(message)].filter(Boolean).join('\n');
    if (!text) continue;
    const previous = turns[turns.length - 1];
    // Appended, not trimmed whole each time (that was quadratic in a long run of replies): the same text.
    if (message.role === 'assistant' && previous?.role === 'assistant') {
      previous.content = `${previous.content}\n${text.trimEnd()}`;
      merged.add(previous);
    } else turns.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: text });
  }
  for (const turn of merged) turn.content = turn.content.trimStart();
  return turns;
}
