// The behaviour every ApprovalStore adapter must show; each adapter's test runs this suite against it.
import { describe, expect, it } from 'bun:test';
import type { ApprovalRecord, ApprovalStore, NewApproval } from './approval-store.port';

const approval = (approvalId: string, overrides: Partial<NewApproval> = {}): NewApproval => ({
  approvalId,
  runId: 'run-1',
  sessionId: 's1',
  trigger: 'chat',
  tool: 'terminal',
  args: { command: 'ls -la', nested: [1, null, 'x'] },
  permissionLevel: 'L3',
  createdMs: 1_000,
  expiresMs: 2_000,
  ...overrides,
});

const pending = (entry: NewApproval): ApprovalRecord => ({
  ...entry,
  status: 'pending',
  decidedMs: null,
  decidedBy: null,
  reason: null,
  editedArgs: null,
});

export function describeApprovalStoreContract(adapter: string, make: () => { store: ApprovalStore; close(): void }) {
  const withStore = (test: (store: ApprovalStore) => Promise<void>) => async () => {
    const { store, close } = make();
    try {
      await test(store);
    } finally {
      close();
    }
  };

  describe(`ApprovalStore contract (${adapter})`, () => {
    it(
      'keeps every field, and takes exactly one decision',
      withStore(async (store) => {
        await store.insert(approval('a1'));
        expect(await store.get('a1')).toEqual(pending(approval('a1')));
        const decision = {
          status: 'edited' as const,
          decidedMs: 1_500,
          decidedBy: 'api',
          reason: 'narrower',
          editedArgs: { command: 'ls' },
        };
        expect(await store.decide('a1', decision)).toBe(true);
        expect(await store.decide('a1', { ...decision, status: 'rejected' })).toBe(false);
        expect(await store.decide('unknown', decision)).toBe(false);
        expect(await store.get('a1')).toEqual({
          ...pending(approval('a1')),
          status: 'edited',
          decidedMs: 1_500,
          decidedBy: 'api',
          reason: 'narrower',
          editedArgs: { command: 'ls' },
        });
        expect(await store.get('unknown')).toBeNull();
      }),
    );

    it(
      'lists newest first by status or run, and expires what is pending',
      withStore(async (store) => {
        await store.insert(approval('a1'));
        await store.insert(approval('a2', { runId: 'run-2' }));
        await store.insert(approval('a3'));
        await store.decide('a3', { status: 'approved', decidedMs: 5, decidedBy: 'api', reason: null });
        const ids = (records: ApprovalRecord[]) => records.map((record) => record.approvalId);
        expect(ids(await store.list({}, 10))).toEqual(['a3', 'a2', 'a1']);
        expect(ids(await store.list({ status: 'pending' }, 10))).toEqual(['a2', 'a1']);
        expect(ids(await store.list({ runId: 'run-1' }, 1))).toEqual(['a3']);
        expect(await store.expirePending(9_000, 'server restarted')).toBe(2);
        expect(await store.get('a1')).toMatchObject({
          status: 'expired',
          decidedMs: 9_000,
          decidedBy: 'server',
          reason: 'server restarted',
        });
        expect((await store.get('a3'))?.status).toBe('approved');
      }),
    );
  });
}
