import { describe, expect, it } from 'bun:test';
import { closeSync, constants, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { appendRegularFile, NotRegularFileError, readRegularFile } from './regular-file';

function mkfifo(path: string): void {
  expect(Bun.spawnSync(['mkfifo', path]).exitCode).toBe(0);
}

describe('regular-file', () => {
  it('appends to a regular file, creating it first', () => {
    using dir = makeTempDir();
    const path = join(dir.path, 'log.jsonl');
    appendRegularFile(path, 'one\n');
    appendRegularFile(path, 'two\n');
    expect(readRegularFile(path)).toBe('one\ntwo\n');
  });

  it('refuses a FIFO at once, with or without a reader on its other end, and leaves it empty', () => {
    using dir = makeTempDir();
    const path = join(dir.path, 'fifo');
    mkfifo(path);
    expect(() => appendRegularFile(path, 'line\n')).toThrow(new NotRegularFileError(path));
    expect(() => readRegularFile(path)).toThrow(new NotRegularFileError(path));
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(() => appendRegularFile(path, 'line\n')).toThrow(new NotRegularFileError(path));
      // Nothing went into the pipe.
      expect(readFileSync(reader).length).toBe(0);
    } finally {
      closeSync(reader);
    }
  });

  it('refuses a folder and a device by name', () => {
    using dir = makeTempDir();
    mkdirSync(join(dir.path, 'folder'));
    expect(() => readRegularFile(join(dir.path, 'folder'))).toThrow(NotRegularFileError);
    expect(() => readRegularFile('/dev/zero')).toThrow(new NotRegularFileError('/dev/zero'));
    expect(() => appendRegularFile('/dev/null', 'x')).toThrow(new NotRegularFileError('/dev/null'));
  });
});
