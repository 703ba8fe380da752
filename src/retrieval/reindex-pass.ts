// A reindex's work on one agent's index: every file of both domains chunked again, vectors from the cache where texts
// are unchanged, unless the provider's vectors changed length (then all are embedded anew).
import type { RuntimeConfig } from '../config';
import type { Clock } from '../shared/clock';
import { within } from '../shared/event-loop';
import { DOMAINS, type AgentIndex } from './agent-index';
import type { EmbeddingHealth } from './embedding-health';
import { probeDims } from './vector-filler';

/** How long a reindex waits for the provider's answer on its vectors' length before it keeps the cache. */
const REINDEX_CHECK_WAIT_MS = 5000;

/** Whether the provider's vectors now have another length than the index's (asked once, 5 s at most). */
async function lengthChanged(index: AgentIndex, health: EmbeddingHealth): Promise<boolean> {
  const stored = DOMAINS.map((domain) => probeDims(index.store, domain)).find((dims) => dims > 0);
  if (!stored || !health.embedder) return false;
  const asked = health.embedder.embed(['retrieval dimension check']).catch(() => null);
  const vector = (await within(asked, REINDEX_CHECK_WAIT_MS, null))?.[0];
  return vector !== undefined && vector.length !== stored;
}

/** Rebuilds both domains of `index`, then drops cached vectors no chunk uses; the caller runs it in the index's exclusive queue. */
export async function reindexPass(index: AgentIndex, config: RuntimeConfig, health: EmbeddingHealth, clock: Clock) {
  // Vectors cached under this provider and model but of another length than it answers now (a new model
  // behind the name) would be reused: the vector leg was dead (the index's length, queries of the new one).
  if (await lengthChanged(index, health)) {
    for (const domain of DOMAINS) index.store.clearDomain(domain);
    index.store.pruneCache();
  }
  // A failed check paused embeddings again; the passes ask the provider all the same, as a reindex did.
  health.resetCooldown();
  for (const domain of DOMAINS) {
    index.store.clearDomain(domain);
    await index.sync(domain, config, health.embedder, health.canEmbed(), clock.nowMs(), true);
  }
  index.store.pruneCache();
}
