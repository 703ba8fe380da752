import { describe, expect, it } from 'bun:test';
import { Database } from 'bun:sqlite';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { fileFaultError, isStorageFault, storageFaultError, withDatabase, withRealFolder } from './storage-fault';

const DATA = '/srv/data';
const errno = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: failed`), { code, ...(path ? { path } : {}) });
const wire = (error: unknown) => {
  const fault = storageFaultError(error, DATA);
  return fault && { code: fault.code, status: fault.status, message: fault.message, details: fault.details };
};

describe('storageFaultError', () => {
  it('maps a full disk or quota to 507 and an unwritable folder to 503, naming the folder relative to the data folder', () => {
    expect(wire(errno('ENOSPC', `${DATA}/workspaces/a/knowledge/x.md`))).toEqual({
      code: 'insufficient_storage',
      status: 507,
      message: 'No space left in the data folder: workspaces/a/knowledge',
      details: { reason: 'disk_full', folder: 'workspaces/a/knowledge' },
    });
    expect(wire(errno('EDQUOT'))).toEqual({
      code: 'insufficient_storage',
      status: 507,
      message: 'The disk quota of the data folder is used up',
      details: { reason: 'quota_exceeded' },
    });
    expect(wire(errno('EACCES', `${DATA}/config.json`))).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'The data folder is not writable (permission denied)',
      details: { reason: 'permission_denied', folder: '.' },
    });
    expect(wire(errno('EPERM', `${DATA}/workspaces/a/storage/agent.db`))?.details).toEqual({
      reason: 'permission_denied',
      folder: 'workspaces/a/storage',
    });
    expect(wire(errno('EROFS', `${DATA}/workspaces/a/.moc-tmp-0123456789abcdef`))?.message).toBe(
      'The data folder is read-only: workspaces/a',
    );
    expect(wire(errno('ENOTDIR', `${DATA}/workspaces/a/storage/agent.db`))).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'A folder of the data folder is a file, not a folder: workspaces/a/storage',
      details: { reason: 'not_a_folder', folder: 'workspaces/a/storage' },
    });
  });

  it('leaves permission and read-only failures outside the data folder, and other errors, to the generic 500', () => {
    expect(wire(errno('EACCES', '/usr/bin/tool'))).toBeNull();
    expect(wire(errno('EROFS', '/srv/data-other/x'))).toBeNull();
    expect(wire(errno('ENOTDIR', '/etc/hosts/x'))).toBeNull();
    expect(wire(errno('ENOENT', `${DATA}/x`))).toBeNull();
    expect(wire(new Error('boom'))).toBeNull();
    expect(wire('text')).toBeNull();
  });

  it('reads SQLite codes (extended ones too) and causes', () => {
    const sqlite = (code: string) => Object.assign(new Error('sqlite'), { name: 'SQLiteError', code });
    expect(wire(sqlite('SQLITE_FULL'))?.code).toBe('insufficient_storage');
    expect(wire(sqlite('SQLITE_READONLY_DBMOVED'))).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'A database in the data folder cannot be written',
      details: { reason: 'database_unwritable' },
    });
    expect(wire(sqlite('SQLITE_CANTOPEN'))?.code).toBe('storage_unavailable');
    expect(wire(sqlite('SQLITE_IOERR_WRITE'))?.code).toBe('storage_unavailable');
    expect(wire(sqlite('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
    expect(wire(new Error('wrapped', { cause: sqlite('SQLITE_FULL') }))?.code).toBe('insufficient_storage');
    expect(isStorageFault(sqlite('SQLITE_FULL'))).toBe(true);
    expect(isStorageFault(errno('ECONNREFUSED'))).toBe(false);
  });

  it('calls a damaged database file 503 storage_unavailable, not a 500, from a real malformed file', () => {
    using temp = makeTempDir();
    const path = join(temp.path, 'x.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (a TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(20_000));
    db.close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 4096);
    writeFileSync(path, bytes);
    const damaged = new Database(path);
    let caught: unknown;
    try {
      damaged.query('SELECT length(a) FROM t').all();
    } catch (error) {
      caught = error;
    } finally {
      damaged.close();
    }
    expect(String((caught as { code?: unknown }).code)).toStartWith('SQLITE_CORRUPT');
    expect(wire(caught)).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'A database in the data folder is damaged (its file is malformed)',
      details: { reason: 'database_damaged' },
    });
    // Given its file, the answer says which database: relative to the data folder, never an absolute path.
    expect(wire(withDatabase(caught, `${DATA}/workspaces/a/storage/agent.db`))?.details).toEqual({
      reason: 'database_damaged',
      file: 'workspaces/a/storage/agent.db',
    });
    expect(wire(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }))?.code).toBe(
      'storage_unavailable',
    );
  });

  it('calls a database another process keeps locked 503 storage_unavailable, from a real lock', () => {
    using temp = makeTempDir();
    const path = join(temp.path, 'x.db');
    const holder = new Database(path);
    holder.exec('CREATE TABLE t (a)');
    holder.exec('BEGIN IMMEDIATE');
    const waiting = new Database(path);
    waiting.exec('PRAGMA busy_timeout = 0');
    let caught: unknown;
    try {
      waiting.exec('INSERT INTO t VALUES (1)');
    } catch (error) {
      caught = error;
    } finally {
      waiting.close();
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(
      wire(withDatabase(new Error('wrapped', { cause: caught }), `${DATA}/workspaces/b/storage/retrieval.db`)),
    ).toEqual({
      code: 'storage_unavailable',
      status: 503,
      message: 'A database in the data folder is locked by another process; try again shortly',
      details: { reason: 'database_busy', file: 'workspaces/b/storage/retrieval.db' },
    });
    const sqliteBusy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    // The first file named stays; one outside the data folder is named by its file name alone; other errors pass.
    expect(wire(withDatabase(withDatabase(sqliteBusy(), '/elsewhere/x.db'), `${DATA}/y.db`))?.details).toEqual({
      reason: 'database_busy',
      file: 'x.db',
    });
    expect(withDatabase(errno('EROFS', `${DATA}/x`), `${DATA}/y.db`)).not.toHaveProperty('database');
  });

  it('classifies real errors: a database opened read-only, and a guarded path rebased to its folder', () => {
    using temp = makeTempDir();
    const path = join(temp.path, 'x.db');
    new Database(path).close();
    const readOnly = new Database(path, { readonly: true });
    let caught: unknown;
    try {
      readOnly.exec('CREATE TABLE t (a)');
    } catch (error) {
      caught = error;
    } finally {
      readOnly.close();
    }
    expect(storageFaultError(caught, temp.path)?.code).toBe('storage_unavailable');
    const pinned = '/proc/self/fd/17';
    try {
      openSync(`${temp.path}/missing/x`, 'r');
    } catch (error) {
      const rebased = withRealFolder(
        Object.assign(error as object, { path: `${pinned}/.moc-tmp-0123456789abcdef` }),
        pinned,
        `${DATA}/memory`,
      );
      expect((rebased as { path: string }).path).toBe(`${DATA}/memory/.moc-tmp-0123456789abcdef`);
    }
  });
});

describe('fileFaultError', () => {
  it('names the file alone, wherever it lies: 503 for a read-only folder, 507 for a full disk, null for other errors', () => {
    const readOnly = fileFaultError(errno('EROFS', '/srv/app/.moc-tmp-0123456789abcdef'), '.env');
    expect({ status: readOnly?.status, message: readOnly?.message, details: readOnly?.details }).toEqual({
      status: 503,
      message: 'Cannot write .env: its folder is read-only',
      details: { reason: 'read_only', file: '.env' },
    });
    expect(fileFaultError(errno('ENOSPC'), '.env')?.status).toBe(507);
    expect(fileFaultError(errno('ENOENT'), '.env')).toBeNull();
  });
});
