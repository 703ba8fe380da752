// Token counts with a real BPE tokenizer (o200k_base), loaded once and embedded in the binary.
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';

let encoder: Tiktoken | null = null;

/** Number of o200k_base tokens in `text` (0 for empty text). */
export function countTokens(text: string): number {
  if (!text) return 0;
  encoder ??= new Tiktoken(o200k);
  return encoder.encode(text, 'all').length;
}
