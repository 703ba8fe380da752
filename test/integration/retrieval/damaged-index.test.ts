// The retrieval index is derived from the agent's files: one damaged while the server runs is rebuilt, not a 500 for good.
import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startRetrievalFixture } from '../../support/retrieval-fixture';
import { waitFor } from '../../support/scheduler-fixture';

/** Overwrites every page after the first of the SQLite file with garbage, as a failing disk might, while it is open. */
function damagePages(path: string): void {
  const size = statSync(path).size;
  const garbage = Buffer.alloc(size - 8192, 0xa5);
  const handle = openSync(path, 'r+');
  writeSync(handle, garbage, 0, garbage.length, 8192);
  closeSync(handle);
}

describe('a retrieval index damaged while the server runs', () => {
  it('is discarded and rebuilt from the files: search, status and reindex answer, and go on answering', async () => {
    await using fixture = await startRetrievalFixture();
    const { server } = fixture;
    fixture.writeDirect('knowledge/cars.md', 'The automobile needs new tyres before winter.\n');
    fixture.writeDirect('memory/MEMORY.md', 'My favourite beverage is green tea.\n');
    expect((await fixture.search('knowledge', 'automobile')).map((hit) => hit.source)).toEqual(['knowledge/cars.md']);
    const indexPath = join(server.dataDir, 'workspaces', 'default', 'storage', 'retrieval.db');
    // The write-ahead log is folded into the file first, so the damage is in what the server reads next.
    const outside = new Database(indexPath);
    outside.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    outside.close();
    expect(statSync(indexPath).size).toBeGreaterThan(8192);
    damagePages(indexPath);

    const status = await server.json('GET', '/api/retrieval/status?agent_id=default');
    expect(status.status).toBe(200);
    // Finding the damage queued the rebuild of both domains: the status fills again without a search.
    await waitFor(async () => ((await fixture.status()).domains.memory.sources === 1 ? true : undefined));
    expect((await fixture.status()).domains.knowledge).toEqual(expect.objectContaining({ sources: 1, chunks: 1 }));
    expect((await fixture.search('knowledge', 'automobile')).map((hit) => hit.source)).toEqual(['knowledge/cars.md']);
    expect((await fixture.search('memory', 'beverage')).map((hit) => hit.source)).toEqual(['memory/MEMORY.md']);
    const reindex = await server.json('POST', '/api/retrieval/reindex?agent_id=default');
    expect(reindex.status).toBe(200);
    expect(reindex.body.data.domains.knowledge).toEqual(expect.objectContaining({ sources: 1, chunks: 1 }));
  });
});
