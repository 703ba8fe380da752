// `mini-openclaw import`: an export file's rows written through the storage ports, each at its own recorded time.
import type { AgentStorage } from '../agent-storage';
import type { ExportLine } from './export-rows';
import { checkExportLines, ImportRefused } from './import-check';
import { storeRowLine } from './import-row-lines';
import type { SettableClock, TransferStorage } from './transfer-storage';

/** Whether agent storage holds any row an import would add to (sessions, jobs, runs, usage). */
async function holdsRows(storage: AgentStorage): Promise<boolean> {
  const [sessions, jobs, runs, usage] = await Promise.all([
    storage.sessions.list('all', { includeInternal: true }),
    storage.scheduler.listJobs(),
    storage.scheduler.listRuns(1),
    storage.usage.records({ sinceMs: 0 }, 1),
  ]);
  return sessions.length + jobs.length + runs.length + usage.length > 0;
}

/**
 * Imports `lines` (an export file, header first) into `target`. Reads them twice: first to check the
 * file (see `checkExportLines`) and that no target agent already holds rows (then nothing is written and
 * ImportRefused is thrown), then to write. Returns the count of lines per type.
 */
export async function importRows(
  target: TransferStorage,
  lines: () => AsyncIterable<string>,
  clock: SettableClock,
): Promise<Record<string, number>> {
  const agents = await checkExportLines(lines());
  const counts: Record<string, number> = {};
  // Every agent's rows land, or (failed or killed before the end) none of them.
  await target.importing(async (openAgent) => {
    const open = new Map<string, AgentStorage>();
    for (const [agentId, createdAt] of agents) {
      const storage = openAgent(agentId, createdAt);
      open.set(agentId, storage);
      if (await holdsRows(storage)) throw new ImportRefused(`agent ${agentId} already holds rows in the target`);
      await storage.agentMeta.createdAt();
    }
    for await (const text of lines()) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as ExportLine | { type: 'header' };
      if (line.type === 'header' || line.type === 'agent') continue;
      // The first pass saw every row's agent line before it; a file changed since is read as it is now.
      const storage = open.get(line.agent_id);
      if (!storage) throw new ImportRefused(`a ${line.type} row of agent ${line.agent_id} comes before its agent line`);
      counts[line.type] = (counts[line.type] ?? 0) + 1;
      await storeRowLine(storage, line, clock);
    }
  });
  return { agent: agents.size, ...counts };
}
