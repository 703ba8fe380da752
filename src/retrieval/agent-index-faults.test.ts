// One agent's open index when a pass or a vector load fails part way: what the loaded vector index and later loads keep.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { defaultRuntimeConfig } from '../config';
import { openAgentIndex } from './agent-index';
import type { OpenIndexStorage } from './retrieval-store.port';
import { openSqliteIndex } from './sqlite/open-index';

const identity = { provider: 'openai', model: 'fake-embed' } as const;
const embedder = {
  identity,
  embed: async (texts: string[]) => texts.map((_, position) => Float32Array.from([1, position % 7, 2])),
};

describe('an agent index whose pass failed after writing part of its changes', () => {
  it('does not keep the vector index loaded before it as current', async () => {
    using temp = makeTempDir('moc-agent-index-faults-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    writeFileSync(join(knowledge, 'a.md'), 'The zebra eats grass.\n');
    writeFileSync(join(knowledge, 'b.md'), 'The harbour keeps its lamps lit.\n');
    let diskFull = false;
    const open: OpenIndexStorage = (engine, path, id) => {
      const storage = openSqliteIndex(engine, path, id);
      const replaceSource: typeof storage.store.replaceSource = (domain, source, chunks, nowMs) => {
        if (diskFull && source.path === 'knowledge/c.md') throw new Error('database or disk is full');
        return storage.store.replaceSource(domain, source, chunks, nowMs);
      };
      return { ...storage, store: { ...storage.store, replaceSource } };
    };
    const config = defaultRuntimeConfig();
    const index = openAgentIndex(open, 'default', temp.path, config, identity, 1);
    const pass = () => index.sync('knowledge', config, embedder, true, 1);
    await pass();
    expect((await index.loadVectors('knowledge')).size).toBe(2);
    // b.md, grown past a slice, is written (its old chunk removed, new ones added); c.md's write then fails.
    writeFileSync(
      join(knowledge, 'b.md'),
      Array.from({ length: 80_000 }, (_, line) => `Line ${line}: the harbour keeps its lamps lit here.`).join('\n'),
    );
    writeFileSync(join(knowledge, 'c.md'), 'The lion sleeps.\n');
    diskFull = true;
    await expect(pass()).rejects.toThrow('database or disk is full');
    diskFull = false;
    await pass();
    // Before, the failed pass left the loaded index current: the next pass patched in c.md alone, and the vector
    // leg held b.md's old chunk and none of its new ones until a restart.
    const vectors = index.currentVectors('knowledge') ?? (await index.loadVectors('knowledge'));
    expect(vectors.size).toBe(index.store.counts('knowledge').vectors);
    index.close();
  });
});

describe('an agent index whose vector load found the file damaged', () => {
  it('rejects the next load with that damage, as no search may have waited for the first', async () => {
    using temp = makeTempDir('moc-agent-index-faults-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    for (const name of ['a', 'b', 'c']) writeFileSync(join(knowledge, `${name}.md`), `The ${name} zebra eats grass.\n`);
    let corrupt = false;
    const open: OpenIndexStorage = (engine, path, id) => {
      const storage = openSqliteIndex(engine, path, id);
      const vectorsAfter: typeof storage.store.vectorsAfter = (domain, afterId, limit) => {
        // A page past the first on a damaged stretch of the file, as SQLite reports it.
        if (corrupt && afterId > 0)
          throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
        return storage.store.vectorsAfter(domain, afterId, limit);
      };
      return { ...storage, store: { ...storage.store, vectorsAfter } };
    };
    const config = defaultRuntimeConfig();
    const index = openAgentIndex(open, 'default', temp.path, config, identity, 1);
    await index.sync('knowledge', config, embedder, true, 1, true);
    corrupt = true;
    // The first load fails after its first page; the searches that started it may all have stopped waiting by then.
    await expect(index.loadVectors('knowledge', { sliceMs: 0, pageSize: 1 })).rejects.toThrow('malformed');
    corrupt = false;
    // Before, the next search began the load again and, were it also late, the damage was never reported (nor the
    // index rebuilt): keyword answers with pending 'index' for good.
    await expect(index.loadVectors('knowledge')).rejects.toThrow('malformed');
    expect(index.currentVectors('knowledge')).toBeNull();
    index.close();
  });
});
