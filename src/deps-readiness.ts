// The composition root's readiness part: what `/api/ready` reads (up, data folder and shared database, sandbox, model).
import type { RuntimeConfigStore } from './config';
import type { Readiness } from './http/routes/health.routes';
import type { LlmService } from './llm';
import { type Sandbox, statusWithin } from './security';
import { createStorageProbe } from './shared/storage-probe';
import type { StorageBackend } from './storage/storage-backend';

/** How long `/api/ready` waits for a sandbox probe still running before it says so. */
const READY_PROBE_WAIT_MS = 1_000;

export interface ReadinessParts {
  /** The data folder, resolved. */
  dataDir: string;
  state: { ready: boolean };
  storage: Pick<StorageBackend, 'health'>;
  sandbox: Sandbox;
  llm: Pick<LlmService, 'status'>;
  configStore: Pick<RuntimeConfigStore, 'global'>;
}

export function buildReadiness({ dataDir, state, storage, sandbox, llm, configStore }: ReadinessParts): Readiness {
  // Monotonic time, not the injected clock: a test's frozen clock must not freeze readiness.
  const storageProbe = createStorageProbe({ dataDir, nowMs: () => performance.now() });
  return {
    isReady: () => state.ready,
    // The data folder first (workspaces live there in both modes), then the shared database if there is one.
    storage: async () => {
      const folder = storageProbe.check();
      if (!folder.writable) return folder;
      return (await storage.health()) ?? folder;
    },
    // Asked before the start-up probe has ended, it waits for that probe (a moment at most) rather than running one
    // that holds the thread.
    sandbox: () => statusWithin(sandbox, READY_PROBE_WAIT_MS),
    llm: () => llm.status(configStore.global()),
  };
}
