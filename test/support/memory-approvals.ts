// An approvals table in memory for the approvals service's unit tests, with switches to make its calls fail or wait.
import type { ApprovalRecord } from '../../src/chat/approval-store.port';
import { createApprovalsService } from '../../src/chat/approvals.service';
import { silentLogger } from '../../src/shared/logger';

export interface MemoryApprovals {
  rows: Map<string, ApprovalRecord>;
  /** Inserts fail while set (a full disk). */
  failInsert: boolean;
  /** Reads fail while set (an I/O error). */
  failGet: boolean;
  /** Awaited by the next read before it answers (then cleared): a decision can land meanwhile. */
  beforeNextGet: (() => Promise<void>) | null;
  approvals: {
    insert(record: ApprovalRecord): Promise<void>;
    get(approvalId: string): Promise<ApprovalRecord | null>;
    decide(approvalId: string, decision: Partial<ApprovalRecord>): Promise<boolean>;
  };
}

export function memoryApprovals(): MemoryApprovals {
  const table: MemoryApprovals = {
    rows: new Map(),
    failInsert: false,
    failGet: false,
    beforeNextGet: null,
    approvals: {
      async insert(record) {
        if (table.failInsert) throw new Error('SQLITE_FULL: database or disk is full');
        table.rows.set(record.approvalId, { ...record, status: 'pending' });
      },
      async get(approvalId) {
        const before = table.beforeNextGet;
        table.beforeNextGet = null;
        await before?.();
        if (table.failGet) throw new Error('SQLITE_IOERR: disk I/O error');
        return table.rows.get(approvalId) ?? null;
      },
      async decide(approvalId, decision) {
        const row = table.rows.get(approvalId);
        if (row?.status !== 'pending') return false;
        table.rows.set(approvalId, { ...row, ...decision } as ApprovalRecord);
        return true;
      },
    },
  };
  return table;
}

/** The approvals service over one agent `agent` (whose storage holds the table), on the real clock. */
export function approvalsServiceFor(agent: unknown) {
  return createApprovalsService({
    agents: { get: () => agent } as never,
    clock: { nowMs: () => Date.now() } as never,
    logger: silentLogger,
  });
}
