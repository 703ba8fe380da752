// Token counts with a real BPE tokenizer (o200k_base), loaded once and embedded in the binary.
import o200k from 'js-tiktoken/ranks/o200k_base';
import { countMerged } from './bpe-merge';
import { BpeTable } from './bpe-table';
import { nextEventLoopTurn } from './stream-pacing';

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
/** Counts of recent short pieces: repeated runs (`aaaa…`, padding, tables) are encoded once. */
const pieceCounts = new Map<string, number>();
/** Pieces up to this length are remembered, up to this many characters in all. */
const MAX_CACHED_PIECE = 1024;
const MAX_CACHED_CHARS = 1_000_000;
let cachedChars = 0;

/** Text is encoded in pieces of about this many characters, cut where whitespace begins. */
const PIECE_CHARS = 4096;
/** Past this length a piece is cut before its next part, whatever that is. */
const MAX_PIECE_CHARS = 2 * PIECE_CHARS;
/** A run of one class without whitespace is cut every this many characters: the BPE merge was quadratic. */
const MAX_RUN = 64;
/** A whitespace run is cut every this many: the merge's time and working memory grow with a word's length. */
const MAX_SPACE_RUN = 1024;
const specialSet = new Set(Object.keys(o200k.special_tokens));
/** Special tokens, whitespace, and runs of one character class (letters, digits, other: up to a special token). */
const parts = new RegExp(
  `${specialTokens.source}|\\s{1,${MAX_SPACE_RUN}}|\\p{L}[\\p{L}\\p{M}]{0,${MAX_RUN - 1}}|\\p{N}{1,${MAX_RUN}}|(?:(?!${specialTokens.source})[^\\s\\p{L}\\p{N}]){1,${MAX_RUN}}`,
  'gu',
);

function kindOf(part: string): string {
  if (specialSet.has(part)) return 'special';
  if (/^\s/.test(part)) return 'space';
  if (/^\p{L}/u.test(part)) return 'letter';
  return /^\p{N}/u.test(part) ? 'digit' : 'other';
}

/**
 * The text in encoder-friendly pieces of bounded length. Cuts happen before whitespace, where the tokenizer
 * splits anyway, so counts match whole-text encoding except at forced cuts: inside a run of one class longer than
 * MAX_RUN (a 10 KB word took seconds in one piece), a whitespace run longer than MAX_SPACE_RUN, or a piece that
 * found no cut in MAX_PIECE_CHARS. A special token is never cut.
 */
function* pieces(text: string): Generator<string> {
  let piece = '';
  let previous: { kind: string; full: boolean } | null = null;
  for (const [part] of text.matchAll(parts)) {
    const kind = kindOf(part);
    const forcedCut = (previous?.full && previous.kind === kind) || piece.length >= MAX_PIECE_CHARS;
    // Punctuation takes the line breaks that follow it (` ?[^\s\p{L}\p{N}]+[\r\n/]*`): no cut between them.
    const splitsHere = kind === 'space' && (previous?.kind !== 'other' || !/^[\r\n]/.test(part));
    if (piece && (forcedCut || (splitsHere && piece.length >= PIECE_CHARS))) {
      yield piece;
      piece = '';
    }
    piece += part;
    previous = { kind, full: part.length >= (kind === 'space' ? MAX_SPACE_RUN : MAX_RUN) };
  }
  if (piece) yield piece;
}

/** Characters counted, by any caller, between two returns to the event loop in countTokensYielding. */
const CHARS_PER_SLICE = 128 * 1024;
let charsSinceYield = 0;

function pieceTokens(piece: string): number {
  let count = pieceCounts.get(piece);
  if (count !== undefined) return count;
  count = encodedLength(piece);
  if (piece.length <= MAX_CACHED_PIECE) {
    if (cachedChars + piece.length > MAX_CACHED_CHARS) {
      pieceCounts.clear();
      cachedChars = 0;
    }
    pieceCounts.set(piece, count);
    cachedChars += piece.length;
  }
  return count;
}

/** Number of o200k_base tokens in `text` (0 for empty text), in time linear in its length. */
export function countTokens(text: string): number {
  let total = 0;
  if (text) for (const piece of pieces(text)) total += pieceTokens(piece);
  return total;
}

/**
 * As countTokens, returning to the event loop after every 128 Ki characters counted (about 15–30 ms of work here):
 * a request counting megabytes (8 MiB took about a second) no longer holds the server thread in one piece.
 */
export async function countTokensYielding(text: string): Promise<number> {
  let total = 0;
  if (!text) return total;
  for (const piece of pieces(text)) {
    total += pieceTokens(piece);
    charsSinceYield += piece.length;
    if (charsSinceYield >= CHARS_PER_SLICE) {
      charsSinceYield = 0;
      await nextEventLoopTurn();
    }
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
