// Session titles: asked of the model, cleaned, with a fallback from the first words of the seed.
import { textOf } from './message-text';

export const TITLE_MAX_CHARS = 60;

/** The first words of `seed` that fit in 60 characters, or "New Session". */
export function fallbackTitle(seed: string): string {
  const words = seed.trim().split(/\s+/).filter(Boolean);
  let title = '';
  for (const word of words) {
    const next = title ? `${title} ${word}` : word;
    if (next.length > TITLE_MAX_CHARS) break;
    title = next;
  }
  return title || seed.trim().slice(0, TITLE_MAX_CHARS) || 'New Session';
}

const LEADING_JUNK = /["'“”‘’`*#\s]/;
const TRAILING_JUNK = /["'“”‘’`*\s]/;
const TRAILING_PUNCTUATION = /[.!?;:,]/;

/**
 * First line, quotes and trailing punctuation removed, at most 10 words and 60 characters.
 * The ends are trimmed by walking indices: an unanchored `[…]+$` regex is quadratic on `a      …b`.
 */
export function cleanTitle(reply: string): string {
  const line = reply.trim().split('\n')[0] ?? '';
  let start = 0;
  while (start < line.length && LEADING_JUNK.test(line.charAt(start))) start++;
  let end = line.length;
  while (end > start && TRAILING_JUNK.test(line.charAt(end - 1))) end--;
  while (end > start && TRAILING_PUNCTUATION.test(line.charAt(end - 1))) end--;
  const unquoted = line.slice(start, end);
  return unquoted.split(/\s+/).filter(Boolean).slice(0, 10).join(' ').slice(0, TITLE_MAX_CHARS).trim();
}

/** A title and the model's reply message (null when the call failed), whose usage the caller records. */
export interface GeneratedTitle {
  title: string;
  reply: unknown;
}

/** A one-shot model call: the messages in, the reply message out. */
export type AskModel = (messages: { role: string; content: string }[]) => Promise<{ content: unknown }>;

/** Asks the model for a title for a conversation that starts with `seed`; throws what the model call throws. */
export async function askTitle(ask: AskModel, seed: string): Promise<GeneratedTitle> {
  const reply = await ask([
    {
      role: 'user',
      content: `Write a short plain-English title (at most 10 words, no quotes, no trailing punctuation) for a conversation that starts with the message below. Reply with the title only.\n\n${seed.slice(0, 200)}`,
    },
  ]);
  return { title: cleanTitle(textOf(reply.content)) || fallbackTitle(seed), reply };
}

/** As `askTitle`, but never throws. */
export async function generateTitle(ask: AskModel, seed: string): Promise<GeneratedTitle> {
  try {
    return await askTitle(ask, seed);
  } catch {
    // A title is a nicety: whatever the model did, the first words of the seed serve.
    return { title: fallbackTitle(seed), reply: null };
  }
}
