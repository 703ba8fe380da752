// Token counts with a real BPE tokenizer (o200k_base), loaded once and embedded in the binary.
import o200k from 'js-tiktoken/ranks/o200k_base';
import { countMerged } from './bpe-merge';
import { BpeTable } from './bpe-table';

let table: BpeTable | null = null;
const words = new RegExp(o200k.pat_str, 'gu');
const specialTokens = new RegExp(
  Object.keys(o200k.special_tokens)
    .map((token) => token.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&'))
    .join('|'),
  'g',
);
const utf8 = new TextEncoder();
let utf8Bytes = new Uint8Array(256);
/** Counts of recent pieces: repeated runs (`aaaa…`, padding, tables) are encoded once. */
const pieceCounts = new Map<string, number>();
const MAX_CACHED_PIECES = 20_000;

/** Text is encoded in pieces of about this many characters, cut where whitespace begins. */
const PIECE_CHARS = 4096;
/** A run without whitespace is cut every this many characters: the BPE merge is quadratic in a run's length. */
const MAX_RUN = 64;

/**
 * The text in encoder-friendly pieces. A 10 KB word took seconds in one piece (and blocked the server);
 * cut into 64-character runs, each distinct piece counted once, it takes milliseconds. Cuts happen before whitespace, where the tokenizer
 * splits anyway, so counts match whole-text encoding except at forced cuts inside very long runs.
 */
function* pieces(text: string): Generator<string> {
  let piece = '';
  let previous: { kind: string; full: boolean } | null = null;
  // Whitespace, and runs of one character class (letters, digits, other), as the tokenizer's own pre-split
  // sees them; only a run longer than MAX_RUN of one class is cut where the tokenizer would not cut.
  for (const part of text.match(/\s+|\p{L}[\p{L}\p{M}]{0,63}|\p{N}{1,64}|[^\s\p{L}\p{N}]{1,64}/gu) ?? []) {
    const kind = /^\s/.test(part)
      ? 'space'
      : /^\p{L}/u.test(part)
        ? 'letter'
        : /^\p{N}/u.test(part)
          ? 'digit'
          : 'other';
    const forcedCut = previous?.full && previous.kind === kind && kind !== 'space';
    // Punctuation takes the line breaks that follow it (` ?[^\s\p{L}\p{N}]+[\r\n/]*`): no cut between them.
    const splitsHere = kind === 'space' && (previous?.kind !== 'other' || !/^[\r\n]/.test(part));
    if (piece && (forcedCut || (splitsHere && piece.length >= PIECE_CHARS))) {
      yield piece;
      piece = '';
    }
    piece += part;
    previous = { kind, full: part.length >= MAX_RUN };
  }
  if (piece) yield piece;
}

/** Number of o200k_base tokens in `text` (0 for empty text), in time linear in its length. */
export function countTokens(text: string): number {
  if (!text) return 0;
  let total = 0;
  for (const piece of pieces(text)) {
    let count = pieceCounts.get(piece);
    if (count === undefined) {
      count = encodedLength(piece);
      if (pieceCounts.size >= MAX_CACHED_PIECES) pieceCounts.clear();
      pieceCounts.set(piece, count);
    }
    total += count;
  }
  return total;
}

/** Tokens of one piece as tiktoken's `encode(piece, 'all')` makes them: special tokens count one each. */
function encodedLength(piece: string): number {
  table ??= new BpeTable(o200k.bpe_ranks);
  let total = 0;
  let from = 0;
  for (const special of piece.matchAll(specialTokens)) {
    total += ordinaryLength(table, piece.slice(from, special.index)) + 1;
    from = special.index + special[0].length;
  }
  return total + ordinaryLength(table, piece.slice(from));
}

function ordinaryLength(table: BpeTable, text: string): number {
  let total = 0;
  for (const match of text.matchAll(words)) {
    const word = match[0];
    if (utf8Bytes.length < word.length * 3) utf8Bytes = new Uint8Array(word.length * 3);
    total += countMerged(table, utf8Bytes, utf8.encodeInto(word, utf8Bytes).written);
  }
  return total;
}
