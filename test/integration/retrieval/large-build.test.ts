// A large knowledge build leaves the server's thread to other requests between slices of files, and writes as it goes.
import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../../support/server-process';
import { makeTempDir } from '../../support/temp-dir';

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
  it('stopped between its slices, leaves its index to the next start instead of a marker that discards it', async () => {
    using temp = makeTempDir('moc-large-build-stop-');
    const dataDir = join(temp.path, 'data');
    const first = await startServerProcess({ dataDir, env: { EMBEDDING_PROVIDER: 'none' } });
    const knowledge = join(dataDir, 'workspaces', 'default', 'knowledge');
    const index = join(dataDir, 'workspaces', 'default', 'storage', 'retrieval.db');
    try {
      mkdirSync(knowledge, { recursive: true });
      for (let file = 0; file < FILES; file++) writeFileSync(join(knowledge, `big-${file}.md`), fileText(file));
      await first.api('POST', '/api/files', { path: 'knowledge/note.md', content: 'A small note.\n' });
      // Mid-build, in bulk mode (each file is over 2,000 chunks).
      for (let sources = 0; sources === 0; )
        sources = (await first.api('GET', '/api/retrieval/status')).body.data.domains.knowledge.sources;
      expect(existsSync(`${index}.bulk-build`)).toBe(true);
      expect(await first.server.stop('SIGTERM')).toBe(0);
    } finally {
      await first.server.stop('SIGKILL');
      await first.model.stop();
    }
    // Before, the marker stayed: the next start discarded the index (and with it the embedding cache).
    expect(existsSync(`${index}.bulk-build`)).toBe(false);
    const inode = statSync(index).ino;
    await using second = await startServerProcess({ dataDir, env: { EMBEDDING_PROVIDER: 'none' } });
    for (let sources = 0; sources < FILES + 1; )
      sources = (await second.api('GET', '/api/retrieval/status')).body.data.domains.knowledge.sources;
    expect(statSync(index).ino).toBe(inode);
  });
});
