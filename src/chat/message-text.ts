// Text and reasoning out of LangChain message content, whatever shape the provider used.

/** The text of a message's content: a string, or the text of its text blocks. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (typeof block === 'string') return block;
      if (
        block &&
        typeof block === 'object' &&
        ['text', 'text_chunk'].includes(String((block as { type?: string }).type))
      ) {
        const value = (block as { text?: unknown; content?: unknown }).text ?? (block as { content?: unknown }).content;
        return typeof value === 'string' ? value : '';
      }
      return '';
    })
    .join('');
}

const REASONING_TYPES = new Set(['reasoning', 'reasoning_chunk', 'thinking', 'thinking_chunk']);

/** Reasoning texts of a final model message: reasoning blocks, or DeepSeek's `reasoning_content`. */
export function reasoningOf(message: { content?: unknown; additional_kwargs?: Record<string, unknown> }): string[] {
  const found: string[] = [];
  if (Array.isArray(message.content)) {
    for (const block of message.content) {
      if (!block || typeof block !== 'object') continue;
      const typed = block as {
        type?: string;
        text?: unknown;
        content?: unknown;
        reasoning?: unknown;
        thinking?: unknown;
      };
      if (!REASONING_TYPES.has(String(typed.type).toLowerCase())) continue;
      const value = typed.text ?? typed.content ?? typed.reasoning ?? typed.thinking;
      if (typeof value === 'string' && value.trim()) found.push(value.trim());
    }
  }
  const extra = message.additional_kwargs?.reasoning_content;
  if (typeof extra === 'string' && extra.trim()) found.push(extra.trim());
  return found;
}
