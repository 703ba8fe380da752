// A large knowledge build leaves the server's thread to other requests between slices of files, and writes as it goes.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../../support/server-process';

const FILES = 12;
/** About 1 MiB of text a file: the build reads 12 MiB, three times the characters a slice holds. */
const fileText = (file: number) =>
  Array.from({ length: 16_000 }, (_, line) => `File ${file} line ${line}: the harbour keeps its lamps lit.`).join('\n');

describe('a large knowledge build', () => {
  it('answers requests while it runs and shows the files indexed so far', async () => {
    await using proc = await startServerProcess({ env: { EMBEDDING_PROVIDER: 'none' } });
    const knowledge = join(proc.dataDir, 'workspaces', 'default', 'knowledge');
    mkdirSync(knowledge, { recursive: true });
    for (let file = 0; file < FILES; file++) writeFileSync(join(knowledge, `big-${file}.md`), fileText(file));
    // A write through the files API starts the domain's build in the background.
    const written = await proc.api('POST', '/api/files', { path: 'knowledge/note.md', content: 'A small note.\n' });
    expect(written.status).toBe(200);
    // Read the status back to back until the build is done. Before, the build held the thread from its first file to
    // its last (190 MB: 37 s, 1 GB of memory), so every answer said 0 files or all of them.
    const seen = new Set<number>();
    for (let sources = 0; sources < FILES + 1; ) {
      const status = await proc.api('GET', '/api/retrieval/status');
      expect(status.status).toBe(200);
      sources = status.body.data.domains.knowledge.sources;
      seen.add(sources);
    }
    expect([...seen].some((sources) => sources > 0 && sources < FILES + 1)).toBe(true);
    const hits = await proc.api('GET', '/api/retrieval/search?domain=knowledge&q=harbour%20lamps&top_k=3');
    expect(hits.body.data.results).toHaveLength(3);
  });
});
