import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { defaultMaxOpenAgents, MAX_DEFAULT_OPEN_AGENTS, readOpenFileLimit } from './open-agent-cap';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            %SOFT%               4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('open agent cap', () => {
  it('reads the soft open-file limit from a /proc limits file', () => {
    using temp = makeTempDir();
    const file = join(temp.path, 'limits');
    writeFileSync(file, LIMITS.replace('%SOFT%', '256'));
    expect(readOpenFileLimit(file)).toBe(256);
    writeFileSync(file, LIMITS.replace('%SOFT%', 'unlimited'));
    expect(readOpenFileLimit(file)).toBe(Number.POSITIVE_INFINITY);
    expect(readOpenFileLimit(join(temp.path, 'missing'))).toBe(1024);
  });

  it('reads this process’s own limit', () => {
    expect(readOpenFileLimit()).toBeGreaterThan(0);
  });

  it('leaves a quarter of the limit (at least 64 files) for the rest and gives 6 files to each open agent', () => {
    expect(defaultMaxOpenAgents(256)).toBe(32);
    expect(defaultMaxOpenAgents(1024)).toBe(128);
    expect(defaultMaxOpenAgents(64)).toBe(4);
    expect(defaultMaxOpenAgents(1_048_576)).toBe(MAX_DEFAULT_OPEN_AGENTS);
    expect(defaultMaxOpenAgents(Number.POSITIVE_INFINITY)).toBe(MAX_DEFAULT_OPEN_AGENTS);
  });
});
