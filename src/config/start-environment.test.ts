import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { parseEnviron, readStartEnvironment, replaceEnvironment } from './start-environment';

describe('parseEnviron', () => {
  it('reads NUL-separated entries, keeps `=` and `$` in values, and the first of repeated keys', () => {
    const text = 'PATH=/usr/bin\0APP_API_TOKEN=a$b=c\0EMPTY=\0no-equals\0=nameless\0PATH=/other\0';
    expect(parseEnviron(text)).toEqual({ PATH: '/usr/bin', APP_API_TOKEN: 'a$b=c', EMPTY: '' });
  });
});

describe('readStartEnvironment', () => {
  it("reads the given environ file, not the process's current variables", () => {
    using dir = makeTempDir('moc-environ-');
    const path = join(dir.path, 'environ');
    writeFileSync(path, 'HOME=/home/x\0LLM_MODEL=real\0');
    expect(readStartEnvironment({ LLM_MODEL: 'expanded', FROM_DOTENV: 'x' }, path)).toEqual({
      HOME: '/home/x',
      LLM_MODEL: 'real',
    });
  });

  it('returns a copy of the current variables where there is no environ file', () => {
    using dir = makeTempDir('moc-environ-');
    const current = { A: '1' };
    const start = readStartEnvironment(current, join(dir.path, 'missing'));
    expect(start).toEqual({ A: '1' });
    expect(start).not.toBe(current);
  });

  it.skipIf(process.platform !== 'linux')('on Linux, leaves out what the process set after it started', () => {
    const key = `MOC_START_ENV_TEST_${process.pid}`;
    process.env[key] = 'set later';
    try {
      expect(readStartEnvironment(process.env)[key]).toBeUndefined();
    } finally {
      delete process.env[key];
    }
  });
});

describe('replaceEnvironment', () => {
  it("drops what only Bun's loader set and takes the given values", () => {
    const target: Record<string, string | undefined> = { PATH: '/bin', TOKEN: 'expanded', FROM_LOCAL: 'x' };
    replaceEnvironment(target, { PATH: '/bin', TOKEN: 'raw$value', ONLY_IN_DOTENV: 'y', UNSET: undefined });
    expect(target).toEqual({ PATH: '/bin', TOKEN: 'raw$value', ONLY_IN_DOTENV: 'y' });
  });
});
