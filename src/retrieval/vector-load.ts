// A domain's vector index built from its stored vectors a page at a time, giving the thread back between slices.
import { timeSlices } from '../shared/event-loop';
import type { RetrievalDomain } from './retrieval-search';
import type { RetrievalStore } from './retrieval-store.port';
import { type VectorIndex, vectorIndexBuilder } from './vector-index';

/** Vectors read from the store at a time (6 MiB at 1,536 dimensions). */
const PAGE = 1024;
/** Building time after which the thread is given back (requests, other agents' streams) before it goes on. */
const SLICE_MS = 50;

/**
 * Reads every vector of `domain` in chunk id order, a page at a time, and builds the index of them. Built in one
 * go, the first search after a start or a rebuild held the server's thread 1.8 s at 100,000 chunks of 1,536
 * dimensions; now other work runs between slices. `stopped` is asked between slices: true (the index closed)
 * ends the build with an error. `sliceMs` 0 and a small `pageSize` (tests) yield after every page of a few.
 */
export async function loadVectorIndex(
  store: Pick<RetrievalStore, 'vectorsAfter'>,
  domain: RetrievalDomain,
  stopped: () => boolean,
  sliceMs = SLICE_MS,
  pageSize = PAGE,
): Promise<VectorIndex> {
  const builder = vectorIndexBuilder();
  const slices = timeSlices(sliceMs);
  for (let after = -1; ; ) {
    const page = store.vectorsAfter(domain, after, pageSize);
    for (const [id, vector] of page) builder.push(id, vector);
    if (page.length < pageSize) return builder.finish();
    after = page.at(-1)![0];
    if (slices.due) {
      await slices.next();
      if (stopped()) throw new Error('the retrieval index closed while its vectors were loading');
    }
  }
}
