// A byte-pair-encoding vocabulary in a few flat arrays, for counting tokens. js-tiktoken's own encoder keeps
// each of o200k_base's 200,000 tokens as a string key and a byte array: about 75 MB and 400 ms to build.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SIXBITS = new Int8Array(128).fill(-1);
for (let index = 0; index < BASE64.length; index++) SIXBITS[BASE64.charCodeAt(index)] = index;

const NONE = -1;

/** FNV-1a of bytes[start..end). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  return hash >>> 0;
}

/**
 * The vocabulary of a tiktoken ranks file (`bpe_ranks`: lines of `<tag> <first rank> <base64 token>…`): every
 * token's bytes in one buffer, found through an open-addressing hash table of token numbers.
 */
export class BpeTable {
  private readonly pool: Uint8Array;
  private readonly starts: Uint32Array;
  private readonly ranks: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(bpeRanks: string) {
    let tokens = 0;
    let bytes = 0;
    forEachToken(bpeRanks, (from, to) => {
      tokens++;
      bytes += decodedLength(bpeRanks, from, to);
    });
    this.pool = new Uint8Array(bytes);
    this.starts = new Uint32Array(tokens + 1);
    this.ranks = new Uint32Array(tokens);
    let size = 1;
    while (size < tokens * 2) size *= 2;
    this.slots = new Int32Array(size).fill(NONE);
    this.mask = size - 1;
    let token = 0;
    let at = 0;
    forEachToken(bpeRanks, (from, to, rank) => {
      this.starts[token] = at;
      at = decodeInto(bpeRanks, from, to, this.pool, at);
      this.ranks[token] = rank;
      this.insert(token, at);
      token++;
    });
    this.starts[tokens] = at;
  }

  /** The rank of bytes[start..end) as one token, or -1 when the vocabulary has no such token. */
  rankOf(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    for (let slot = hashOf(bytes, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const token = this.slots[slot]!;
      if (token === NONE) return NONE;
      const from = this.starts[token]!;
      if (this.starts[token + 1]! - from !== length) continue;
      let same = true;
      for (let index = 0; index < length && same; index++) same = this.pool[from + index] === bytes[start + index];
      if (same) return this.ranks[token]!;
    }
  }

  /** Files the token just written at pool[starts[token]..end); a later token of the same bytes replaces it. */
  private insert(token: number, end: number): void {
    const start = this.starts[token]!;
    for (let slot = hashOf(this.pool, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const other = this.slots[slot]!;
      if (other === NONE || this.sameBytes(other, start, end)) {
        this.slots[slot] = token;
        return;
      }
    }
  }

  private sameBytes(token: number, start: number, end: number): boolean {
    const from = this.starts[token]!;
    if (this.starts[token + 1]! - from !== end - start) return false;
    for (let index = 0; index < end - start; index++)
      if (this.pool[from + index] !== this.pool[start + index]) return false;
    return true;
  }
}

/**
 * Calls `visit` with each token's base64 text (text[from..to)) and rank, reading the ranks file in place: a
 * line is `<tag> <first rank> <token> <token>…`, ranks counting up from the first.
 */
function forEachToken(text: string, visit: (from: number, to: number, rank: number) => void): void {
  let at = 0;
  while (at < text.length) {
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd === -1) lineEnd = text.length;
    const rankAt = text.indexOf(' ', at) + 1;
    let fieldEnd = text.indexOf(' ', rankAt);
    if (rankAt === 0 || fieldEnd === -1 || fieldEnd > lineEnd) fieldEnd = lineEnd;
    let rank = Number.parseInt(text.slice(rankAt, fieldEnd), 10);
    for (let from = fieldEnd + 1; from < lineEnd; ) {
      let to = text.indexOf(' ', from);
      if (to === -1 || to > lineEnd) to = lineEnd;
      if (to > from) visit(from, to, rank++);
      from = to + 1;
    }
    at = lineEnd + 1;
  }
}

function decodedLength(text: string, from: number, to: number): number {
  let padding = 0;
  while (padding < 2 && text.charCodeAt(to - 1 - padding) === 61) padding++;
  return ((to - from) / 4) * 3 - padding;
}

/** Decodes the base64 text[from..to) into target from `at`; returns the end. */
function decodeInto(text: string, from: number, to: number, target: Uint8Array, at: number): number {
  let bits = 0;
  let held = 0;
  for (let index = from; index < to; index++) {
    const value = SIXBITS[text.charCodeAt(index)] ?? NONE;
    if (value === NONE) break;
    bits = ((bits << 6) | value) & 0xffff;
    held += 6;
    if (held >= 8) {
      held -= 8;
      target[at++] = (bits >> held) & 0xff;
    }
  }
  return at;
}
