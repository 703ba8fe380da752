// What compressing a session keeps: the older half (at least 4) of its messages, as text for a summary.
import type { StoredMessage } from './session-types';

export const SUMMARY_MAX_CHARS = 500;
const CORPUS_MAX_CHARS = 4000;
const MESSAGE_PREVIEW_CHARS = 200;

export interface CompressionPlan {
  /** How many of the oldest messages go to the archive. */
  count: number;
  /** Those messages as `role: text` lines, for the summary. */
  corpus: string;
}

/** The plan for `messages` (callers check that there are at least 4). */
export function planCompression(messages: readonly StoredMessage[]): CompressionPlan {
  const count = Math.min(messages.length, Math.max(4, Math.floor(messages.length / 2)));
  const corpus = messages
    .slice(0, count)
    .map((message) => `${message.role}: ${message.content.slice(0, MESSAGE_PREVIEW_CHARS)}`)
    .join('\n')
    .slice(0, CORPUS_MAX_CHARS);
  return { count, corpus };
}

/** The new summary: the model's (cut to 500 characters), or the start of the corpus when there is none; after any earlier one. */
export function nextCompressedContext(previous: string, summary: string): string {
  const earlier = previous.trim();
  return earlier ? `${earlier}\n---\n${summary}` : summary;
}
