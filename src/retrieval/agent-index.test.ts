// One agent's open index across passes: what a pass or a vector load that failed part way leaves to the next ones.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { defaultRuntimeConfig } from '../config';
import { openAgentIndex } from './agent-index';
import { EmbeddingError } from './embedding-client';
import type { OpenIndexStorage } from './retrieval-store.port';
import { openSqliteIndex } from './sqlite/open-index';

const identity = { provider: 'openai', model: 'fake-embed' } as const;

/**
 * An index of the agent at `root` whose writes of knowledge/c.md fail while `faults.diskFull`, whose provider fails
 * while `faults.providerDown`, and whose vector pages past the first fail as a damaged file does while `faults.corrupt`.
 */
function faultyIndex(root: string) {
  const faults = { providerDown: false, diskFull: false, corrupt: false };
  const open: OpenIndexStorage = (engine, path, id) => {
    const storage = openSqliteIndex(engine, path, id);
    const replaceSource: typeof storage.store.replaceSource = (domain, source, chunks, nowMs) => {
      if (faults.diskFull && source.path === 'knowledge/c.md') throw new Error('database or disk is full');
      return storage.store.replaceSource(domain, source, chunks, nowMs);
    };
    const vectorsAfter: typeof storage.store.vectorsAfter = (domain, afterId, limit) => {
      if (faults.corrupt && afterId > 0)
        throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
      return storage.store.vectorsAfter(domain, afterId, limit);
    };
    return { ...storage, store: { ...storage.store, replaceSource, vectorsAfter } };
  };
  const config = defaultRuntimeConfig();
  const index = openAgentIndex(open, 'default', root, config, identity, 1);
  const embedder = {
    identity,
    async embed(texts: string[]) {
      if (faults.providerDown) throw new EmbeddingError('embedding server answered 503', true, 'server_error', 503);
      return texts.map((_, position) => Float32Array.from([1, position % 7, 2]));
    },
  };
  const pass = (force: boolean) => index.sync('knowledge', config, embedder, true, 1, force);
  return { index, faults, pass };
}

/** b.md grown to fill a slice of its own, written before c.md (new). */
function growPastASlice(knowledge: string) {
  writeFileSync(
    join(knowledge, 'b.md'),
    Array.from({ length: 80_000 }, (_, line) => `Line ${line}: the harbour keeps its lamps lit here.`).join('\n'),
  );
  writeFileSync(join(knowledge, 'c.md'), 'The lion sleeps.\n');
}

describe('an agent index whose pass failed part way', () => {
  it('embeds on a later pass the chunks that pass stored without vectors', async () => {
    using temp = makeTempDir('moc-agent-index-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    writeFileSync(join(knowledge, 'a.md'), 'The zebra eats grass.\n');
    const { index, faults, pass } = faultyIndex(temp.path);
    expect((await pass(true)).missingVectors).toBe(0);
    // b.md fills a slice of its own, written without vectors (the provider is down); c.md's write then fails.
    growPastASlice(knowledge);
    [faults.providerDown, faults.diskFull] = [true, true];
    await expect(pass(true)).rejects.toThrow('database or disk is full');
    [faults.providerDown, faults.diskFull] = [false, false];
    await pass(true);
    // Before, the failed pass left "no vector missing" from the one before: b.md's chunks were never embedded.
    const counts = index.store.counts('knowledge');
    expect(counts.vectors).toBe(counts.chunks);
    index.close();
  });

  it('does not keep the vector index loaded before it as current', async () => {
    using temp = makeTempDir('moc-agent-index-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    writeFileSync(join(knowledge, 'a.md'), 'The zebra eats grass.\n');
    writeFileSync(join(knowledge, 'b.md'), 'The harbour keeps its lamps lit.\n');
    const { index, faults, pass } = faultyIndex(temp.path);
    await pass(false);
    expect((await index.loadVectors('knowledge')).size).toBe(2);
    // b.md is written (its old chunk removed, new ones added, with vectors); c.md's write then fails.
    growPastASlice(knowledge);
    faults.diskFull = true;
    await expect(pass(false)).rejects.toThrow('database or disk is full');
    faults.diskFull = false;
    await pass(false);
    // Before, the failed pass left the loaded index current: the next pass patched in c.md alone, and the vector
    // leg held b.md's old chunk and none of its new ones until a restart.
    const vectors = index.currentVectors('knowledge') ?? (await index.loadVectors('knowledge'));
    expect(vectors.size).toBe(index.store.counts('knowledge').vectors);
    index.close();
  });
});

describe("an agent index's vectors loading in slices", () => {
  it('shares one load among searches, and keeps none a pass made stale while it loaded', async () => {
    using temp = makeTempDir('moc-agent-index-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    for (const name of ['a', 'b', 'c']) writeFileSync(join(knowledge, `${name}.md`), `The ${name} zebra eats grass.\n`);
    const config = defaultRuntimeConfig();
    const index = openAgentIndex(openSqliteIndex, 'default', temp.path, config, identity, 1);
    const embedder = { identity, embed: async (texts: string[]) => texts.map(() => Float32Array.from([1, 2, 3])) };
    await index.sync('knowledge', config, embedder, true, 1, true);
    // A page of one vector a slice: the load gives the thread back between pages.
    const slicing = { sliceMs: 0, pageSize: 1 };
    const first = index.loadVectors('knowledge', slicing);
    expect(index.loadVectors('knowledge', slicing)).toBe(first);
    expect((await first).size).toBe(3);
    expect(index.currentVectors('knowledge')).toBe(await first);

    // A forced pass (a reindex) drops the loaded index.
    writeFileSync(join(knowledge, 'd.md'), 'The lion eats the zebra.\n');
    await index.sync('knowledge', config, embedder, true, 2, true);
    expect(index.currentVectors('knowledge')).toBeNull();
    // A load under way while another pass runs; a load begun after that pass (in one page) ends first, and the
    // stale one, ending after it, must not replace it.
    const stale = index.loadVectors('knowledge', slicing);
    writeFileSync(join(knowledge, 'e.md'), 'The grass grows.\n');
    await index.sync('knowledge', config, embedder, true, 3, true);
    const fresh = await index.loadVectors('knowledge', { sliceMs: 0, pageSize: 100 });
    expect(fresh.size).toBe(5);
    expect(index.currentVectors('knowledge')).toBe(fresh);
    await stale;
    expect(index.currentVectors('knowledge')).toBe(fresh);
    index.close();
  });
});

describe('an agent index whose vector load found the file damaged', () => {
  it('rejects the next load with that damage, as no search may have waited for the first', async () => {
    using temp = makeTempDir('moc-agent-index-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    for (const name of ['a', 'b', 'c']) writeFileSync(join(knowledge, `${name}.md`), `The ${name} zebra eats grass.\n`);
    const { index, faults, pass } = faultyIndex(temp.path);
    await pass(true);
    faults.corrupt = true;
    // The first load fails after its first page; the searches that started it may all have stopped waiting by then.
    await expect(index.loadVectors('knowledge', { sliceMs: 0, pageSize: 1 })).rejects.toThrow('malformed');
    faults.corrupt = false;
    // Before, the next search began the load again and, were it also late, the damage was never reported (nor the
    // index rebuilt): keyword answers with pending 'index' for good.
    await expect(index.loadVectors('knowledge')).rejects.toThrow('malformed');
    expect(index.currentVectors('knowledge')).toBeNull();
    index.close();
  });
});
