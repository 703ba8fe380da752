// How many tokens byte-pair encoding makes of one pre-tokenized piece, in O(n log n): tiktoken's merge loop
// rescans every pair after each merge, which took 10 s for a run of 10,000 spaces.
import type { BpeTable } from './bpe-table';

const NONE = -1;
/** A heap key: rank × 2³² + start, so the lowest rank wins and, among equal ranks, the leftmost pair. */
const RANK_SHIFT = 2 ** 32;

/** Parts as a linked list over byte positions: a part starting at `s` ends where `next[s]` starts. */
let next = new Int32Array(0);
let previous = new Int32Array(0);
let merged = new Uint8Array(0);
/** Candidate merges (pairs of adjacent parts), a binary min-heap; entries a merge made stale are skipped. */
let keys = new Float64Array(0);
let starts = new Int32Array(0);
let ends = new Int32Array(0);
let size = 0;

function ensureRoom(length: number): void {
  if (next.length > length) return;
  const room = Math.max(length + 1, next.length * 2);
  next = new Int32Array(room);
  previous = new Int32Array(room);
  merged = new Uint8Array(room);
  keys = new Float64Array(room * 3);
  starts = new Int32Array(room * 3);
  ends = new Int32Array(room * 3);
}

function push(key: number, start: number, end: number): void {
  let at = size++;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (keys[parent]! <= key) break;
    keys[at] = keys[parent]!;
    starts[at] = starts[parent]!;
    ends[at] = ends[parent]!;
    at = parent;
  }
  keys[at] = key;
  starts[at] = start;
  ends[at] = end;
}

/** Removes the heap's top (read by the caller before). */
function popTop(): void {
  size--;
  const key = keys[size]!;
  const start = starts[size]!;
  const end = ends[size]!;
  let at = 0;
  for (;;) {
    let child = at * 2 + 1;
    if (child >= size) break;
    if (child + 1 < size && keys[child + 1]! < keys[child]!) child++;
    if (keys[child]! >= key) break;
    keys[at] = keys[child]!;
    starts[at] = starts[child]!;
    ends[at] = ends[child]!;
    at = child;
  }
  keys[at] = key;
  starts[at] = start;
  ends[at] = end;
}

function offer(table: BpeTable, bytes: Uint8Array, start: number, end: number): void {
  const rank = table.rankOf(bytes, start, end);
  if (rank !== NONE) push(rank * RANK_SHIFT + start, start, end);
}

/**
 * The number of tokens bytes[0..length) encodes to: one when the whole piece is a token, else the parts left
 * once no adjacent pair is a token, merging the lowest-ranked pair first (the leftmost among equals), exactly as
 * tiktoken does.
 */
export function countMerged(table: BpeTable, bytes: Uint8Array, length: number): number {
  if (length <= 1 || table.rankOf(bytes, 0, length) !== NONE) return Math.min(length, 1);
  ensureRoom(length);
  size = 0;
  for (let at = 0; at < length; at++) {
    next[at] = at + 1;
    previous[at] = at - 1;
    merged[at] = 0;
  }
  for (let at = 0; at + 1 < length; at++) offer(table, bytes, at, at + 2);
  let parts = length;
  while (size > 0) {
    const start = starts[0]!;
    const end = ends[0]!;
    popTop();
    const middle = next[start]!;
    if (merged[start] || middle >= length || next[middle] !== end) continue;
    merged[middle] = 1;
    next[start] = end;
    if (end < length) {
      previous[end] = start;
      offer(table, bytes, start, next[end]!);
    }
    const left = previous[start]!;
    if (left !== NONE) offer(table, bytes, left, end);
    parts--;
  }
  return parts;
}
