// Readiness of the data folder: does it take a write now (create, write, fsync, remove a small file)? Remembered briefly.
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryName } from './atomic-write';
import { storageFaultError, withPath, type StorageFaultCode } from './storage-fault';

export type StorageHealth = { writable: true } | { writable: false; code: StorageFaultCode; reason: string };

export interface StorageProbe {
  /** The data folder's state, probed at most once per `ttlMs` (a storm of readiness checks touches the disk once). */
  check(): StorageHealth;
}

export interface StorageProbeDeps {
  dataDir: string;
  nowMs(): number;
  /** How long a result is reused; 1.5 s by default. */
  ttlMs?: number;
}

/** One block: a full disk refuses it even where an empty file still fits (a free inode). */
const PROBE_BYTES = Buffer.alloc(4096, 0x2e);

/**
 * Probes by writing a 4 KiB file in the data folder itself and removing it. The file has the name of
 * the server's temporaries, so one left by a crash mid-probe is swept at the next start.
 */
export function createStorageProbe({ dataDir, nowMs, ttlMs = 1500 }: StorageProbeDeps): StorageProbe {
  let last: { atMs: number; health: StorageHealth } | null = null;

  const probe = (): StorageHealth => {
    const path = join(dataDir, temporaryName());
    let handle: number | null = null;
    try {
      handle = openSync(path, 'wx', 0o600);
      writeSync(handle, PROBE_BYTES);
      fsyncSync(handle);
      return { writable: true };
    } catch (error) {
      const fault = storageFaultError(withPath(error, path), dataDir);
      if (fault) return { writable: false, code: fault.code, reason: fault.message };
      const code = (error as { code?: unknown }).code;
      return {
        writable: false,
        code: 'storage_unavailable',
        reason: `The data folder cannot be written (${typeof code === 'string' ? code : 'unknown error'})`,
      };
    } finally {
      if (handle !== null) closeSync(handle);
      try {
        rmSync(path, { force: true });
      } catch {
        // A read-only folder refuses even the removal of a file that was never made.
      }
    }
  };

  return {
    check() {
      const now = nowMs();
      if (!last || now - last.atMs >= ttlMs || now < last.atMs) last = { atMs: now, health: probe() };
      return last.health;
    },
  };
}
