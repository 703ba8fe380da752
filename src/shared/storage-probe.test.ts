import { describe, expect, it } from 'bun:test';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { createStorageProbe } from './storage-probe';

describe('storage probe', () => {
  it('reports a data folder that takes no write, reuses a result within its time to live, and leaves nothing behind', () => {
    using temp = makeTempDir();
    const dataDir = join(temp.path, 'data');
    let now = 0;
    const probe = createStorageProbe({ dataDir, nowMs: () => now, ttlMs: 1000 });
    expect(probe.check()).toEqual({
      writable: false,
      code: 'storage_unavailable',
      reason: 'The data folder cannot be written (ENOENT)',
    });
    mkdirSync(dataDir);
    now = 999;
    expect(probe.check().writable).toBe(false);
    now = 1000;
    expect(probe.check()).toEqual({ writable: true });
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
