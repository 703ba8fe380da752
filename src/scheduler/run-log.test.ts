import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../shared/logger';
import { makeTempDir } from '../../test/support/temp-dir';
import { createRunLog } from './run-log';

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).n);

describe('createRunLog', () => {
  it('appends JSON lines and rotates by size, keeping a bounded number of generations', () => {
    using dir = makeTempDir();
    const path = join(dir.path, 'storage', 'cron_runs.jsonl');
    const log = createRunLog(path, silentLogger, 40, 2);
    for (let n = 1; n <= 7; n++) log.append({ n, pad: 'xxxxxxxx' });
    // Each line is 25 bytes, so a file holds one line before the next append rotates it.
    expect(lines(path)).toEqual([7]);
    expect(lines(`${path}.1`)).toEqual([6]);
    expect(lines(`${path}.2`)).toEqual([5]);
    expect(existsSync(`${path}.3`)).toBe(false);
  });
});
