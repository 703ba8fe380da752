import { Database } from 'bun:sqlite';
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFilesUnder } from '../../test/support/process-probe';
import { makeTempDir } from '../../test/support/temp-dir';
import { openDatabase } from './open-database';

describe('openDatabase', () => {
  it('closes a database it refuses (a newer release), so retries leak no handle', () => {
    using temp = makeTempDir('moc-open-db-');
    const path = join(temp.path, 'agent.db');
    const newer = new Database(path, { create: true });
    newer.exec('PRAGMA user_version = 99');
    newer.close();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(() =>
        openDatabase(path, [{ version: 1, description: 'one', sql: 'CREATE TABLE t (id INTEGER)' }]),
      ).toThrow('newer than this release');
    }
    expect(openFilesUnder(temp.path)).toEqual([]);
  });

  it('says ENOTDIR naming the database when a file stands where its folder belongs (not mkdir EEXIST)', () => {
    using temp = makeTempDir('moc-open-db-');
    writeFileSync(join(temp.path, 'storage'), 'a file\n');
    const path = join(temp.path, 'storage', 'agent.db');
    expect(() => openDatabase(path, [])).toThrow(expect.objectContaining({ code: 'ENOTDIR', path }));
  });
});
