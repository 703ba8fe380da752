// A search held 5 s at most: it waits for the index's pass and the query's vector within the cap, and says what it answered without.
import { within } from '../shared/event-loop';
import { QUERY_VECTOR_WAIT_MS } from './query-vectors';
import type { SearchAnswer, SearchPending } from './retrieval-search';

export type { SearchAnswer, SearchPending } from './retrieval-search';
import type { SearchOutcome } from './search-index';

/**
 * Waits for `pass` (the index taking in changed files) and then for the query's vector, QUERY_VECTOR_WAIT_MS in all,
 * and searches the index as it is then: a pass held by a slow provider (3 attempts of 20 s a batch) or a large build
 * held the search as long. `pass` failing in time fails the search; failing later, it goes to `onLateFailure`
 * (nothing else would hear of it). `search` is given what is left of the cap for the query's vector.
 */
export async function cappedSearch(
  pass: Promise<unknown>,
  search: (vectorWaitMs: number) => Promise<SearchOutcome>,
  onLateFailure: (error: unknown) => void,
): Promise<SearchAnswer> {
  const deadline = performance.now() + QUERY_VECTOR_WAIT_MS;
  let answered = false;
  const indexed = pass.then(
    () => true,
    (error: unknown) => {
      if (!answered) throw error;
      onLateFailure(error);
      return false;
    },
  );
  let upToDate: boolean;
  try {
    upToDate = await within(indexed, QUERY_VECTOR_WAIT_MS, false);
  } finally {
    answered = true;
  }
  const { hits, vectorLate, vectorsLoading } = await search(Math.max(0, deadline - performance.now()));
  const pending: SearchPending[] = [];
  if (!upToDate || vectorsLoading) pending.push('index');
  if (vectorLate) pending.push('query_vector');
  return { results: hits, partial: pending.length > 0, pending };
}
