// One agent's open index across passes: what a pass that failed part way leaves to the next ones.
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

describe('an agent index whose pass failed part way', () => {
  it('embeds on a later pass the chunks that pass stored without vectors', async () => {
    using temp = makeTempDir('moc-agent-index-');
    const knowledge = join(temp.path, 'knowledge');
    mkdirSync(knowledge);
    writeFileSync(join(knowledge, 'a.md'), 'The zebra eats grass.\n');
    let [providerDown, diskFull] = [false, false];
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
    const embedder = {
      identity,
      async embed(texts: string[]) {
        if (providerDown) throw new EmbeddingError('embedding server answered 503', true, 'server_error', 503);
        return texts.map((_, position) => Float32Array.from([1, position % 7, 2]));
      },
    };
    const pass = () => index.sync('knowledge', config, embedder, true, 1, true);
    expect((await pass()).missingVectors).toBe(0);
    // b.md fills a slice of its own, written without vectors (the provider is down); c.md's write then fails.
    writeFileSync(
      join(knowledge, 'b.md'),
      Array.from({ length: 80_000 }, (_, line) => `Line ${line}: the harbour keeps its lamps lit here.`).join('\n'),
    );
    writeFileSync(join(knowledge, 'c.md'), 'The lion sleeps.\n');
    [providerDown, diskFull] = [true, true];
    await expect(pass()).rejects.toThrow('database or disk is full');
    [providerDown, diskFull] = [false, false];
    await pass();
    // Before, the failed pass left "no vector missing" from the one before: b.md's chunks were never embedded.
    const counts = index.store.counts('knowledge');
    expect(counts.vectors).toBe(counts.chunks);
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
