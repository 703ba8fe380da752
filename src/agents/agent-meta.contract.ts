// The behaviour every AgentMetaStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { AgentMetaStore } from './agent-meta.port';

/** `make(createdAtSeconds)` opens a fresh store for an agent created at that time. */
export function describeAgentMetaStoreContract(
  adapter: string,
  make: (createdAtSeconds: number) => { store: AgentMetaStore; close(): void },
): void {
  describe(`AgentMetaStore contract (${adapter})`, () => {
    it('answers the creation time it was opened with, on every call', async () => {
      const { store, close } = make(1_700_000_000);
      try {
        expect(await store.createdAt()).toBe(1_700_000_000);
        expect(await store.createdAt()).toBe(1_700_000_000);
      } finally {
        close();
      }
    });
  });
}
