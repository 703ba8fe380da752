// `mini-openclaw export` and `import`: move an install's rows between SQLite files and PostgreSQL, with a one-line report.
import { existsSync, mkdirSync } from 'node:fs';
import { maskDatabaseUrl, maskSecretsIn } from '../../shared/database-url';
import type { Logger } from '../../shared/logger';
import { DataFolderInUseError, lockDataFolder } from '../sqlite/data-folder-lock';
import { exportToFile } from './export-file';
import { ImportRefused } from './import-check';
import { readImportLines } from './import-lines';
import { importRows } from './import-rows';
import { openTransferStorage, settableClock } from './transfer-storage';

export interface TransferCommandInput {
  kind: 'export' | 'import';
  file: string;
  dataDir: string;
  databaseUrl: string | null;
  logger: Logger;
  out: (line: string) => void;
  err: (line: string) => void;
}

const summary = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([type, count]) => `${count} ${type}`)
    .join(', ') || 'nothing';

/**
 * Runs the command; returns the exit status (0 done, 1 refused or failed, with the reason on `err`). A failed
 * export leaves the file it would have replaced as it was.
 */
export async function runTransferCommand(input: TransferCommandInput): Promise<number> {
  const where = input.databaseUrl ? maskDatabaseUrl(input.databaseUrl) : `SQLite files under ${input.dataDir}`;
  const clock = settableClock();
  let storage: Awaited<ReturnType<typeof openTransferStorage>> | null = null;
  let lock: { release(): void } | null = null;
  let serverRuns = false;
  try {
    // Rows written under a running server's feet would meet its open databases and caches: an import into
    // SQLite files takes the folder's lock first, as a server does. An export reads beside a running server,
    // but opening an agent then must not settle its runs as left over: they are that server's, in progress.
    if (input.kind === 'import' && !input.databaseUrl) {
      mkdirSync(input.dataDir, { recursive: true });
      lock = lockDataFolder(input.dataDir, input.logger);
    } else if (!input.databaseUrl && existsSync(input.dataDir)) {
      try {
        lock = lockDataFolder(input.dataDir, input.logger);
      } catch (error) {
        if (!(error instanceof DataFolderInUseError)) throw error;
        serverRuns = true;
      }
    }
    storage = await openTransferStorage({
      dataDir: input.dataDir,
      databaseUrl: input.databaseUrl,
      clock,
      logger: input.logger,
      recover: !serverRuns,
    });
    if (input.kind === 'export') {
      const counts = await exportToFile(storage, input.file, Date.now());
      input.out(`mini-openclaw export: wrote ${summary(counts)} from ${where} to ${input.file}`);
    } else {
      const counts = await importRows(storage, () => readImportLines(input.file), clock);
      input.out(`mini-openclaw import: read ${summary(counts)} from ${input.file} into ${where}`);
    }
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const masked = input.databaseUrl ? maskSecretsIn(reason, input.databaseUrl) : reason;
    const refused = error instanceof ImportRefused || error instanceof DataFolderInUseError;
    input.err(`mini-openclaw ${input.kind}: ${refused ? 'refused' : 'failed'}: ${masked}`);
    return 1;
  } finally {
    try {
      await storage?.close();
    } finally {
      lock?.release();
    }
  }
}
