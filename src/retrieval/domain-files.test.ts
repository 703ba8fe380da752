// The listing of a domain's files over a real folder.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { listDomainFiles } from './domain-files';

describe('listDomainFiles', () => {
  it('returns to the event loop while it walks, and lists every file in path order', async () => {
    using temp = makeTempDir('moc-listing-');
    for (let folder = 0; folder < 5; folder++) {
      mkdirSync(join(temp.path, 'knowledge', `f${folder}`), { recursive: true });
      for (let file = 0; file < 10; file++)
        writeFileSync(join(temp.path, 'knowledge', `f${folder}`, `n${file}.md`), 'x\n');
    }
    let turns = 0;
    let counting = true;
    const count = () => {
      if (!counting) return;
      turns += 1;
      setImmediate(count);
    };
    setImmediate(count);
    // A slice of 0 ms: a turn after every file. Before, the walk held the thread from its first file to its last (a
    // folder of 100,000 files: seconds, again after every change notice).
    const files = await listDomainFiles(temp.path, 'knowledge', 0);
    counting = false;
    expect(files.map((file) => file.path)).toEqual(
      Array.from({ length: 50 }, (_, index) => `knowledge/f${Math.floor(index / 10)}/n${index % 10}.md`),
    );
    expect(turns).toBeGreaterThanOrEqual(40);
  });
});
