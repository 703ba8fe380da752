// The behaviour every ToolAuditStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { ToolAuditEntry, ToolAuditStore } from './tool-audit.port';

const entry = (overrides: Partial<ToolAuditEntry>): ToolAuditEntry => ({
  timestampMs: 1_800_000_000_000,
  runId: 'run-1',
  sessionId: 'session-1',
  triggerType: 'chat',
  toolName: 'read_file',
  arguments: { path: 'memory/MEMORY.md', nested: { list: [1, 'two', null] } },
  outcome: 'ok',
  errorCode: null,
  reason: null,
  durationMs: 12,
  model: 'gpt-5-mini',
  ...overrides,
});

export function describeToolAuditStoreContract(
  adapter: string,
  make: () => { store: ToolAuditStore; close(): void },
): void {
  describe(`ToolAuditStore contract (${adapter})`, () => {
    it('keeps every field of a row, rows in the order they were recorded', async () => {
      const { store, close } = make();
      try {
        const rows = [
          entry({}),
          entry({
            runId: 'run-2',
            toolName: 'terminal',
            outcome: 'denied',
            errorCode: 'E_POLICY_DENIED',
            reason: 'not allowed',
            timestampMs: 1_800_000_000_005,
          }),
          entry({ outcome: 'error', errorCode: 'E_EXEC', reason: 'exit 1', arguments: {}, durationMs: 0, model: null }),
        ];
        for (const row of rows) await store.record(row);
        expect(await store.list()).toEqual(rows);
      } finally {
        close();
      }
    });

    it('lists one run alone, and nothing for an unknown run', async () => {
      const { store, close } = make();
      try {
        await store.record(entry({ runId: 'a', toolName: 'first' }));
        await store.record(entry({ runId: 'b', toolName: 'other' }));
        await store.record(entry({ runId: 'a', toolName: 'second' }));
        expect((await store.list({ runId: 'a' })).map((row) => row.toolName)).toEqual(['first', 'second']);
        expect(await store.list({ runId: 'none' })).toEqual([]);
      } finally {
        close();
      }
    });
  });
}
