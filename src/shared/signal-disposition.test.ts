import { describe, expect, it } from 'bun:test';
import { isIgnoredSignal } from './signal-disposition';

describe('isIgnoredSignal', () => {
  it('reads the SigIgn mask of a status text: bit n − 1 for signal n', () => {
    const status = 'Name:\tbun\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001001\nSigCgt:\t0000000000000000\n';
    expect(isIgnoredSignal('SIGHUP', status)).toBe(true);
    expect(isIgnoredSignal('SIGPIPE', status)).toBe(true);
    expect(isIgnoredSignal('SIGALRM', status)).toBe(false);
    expect(isIgnoredSignal('SIGUSR2', status)).toBe(false);
    expect(isIgnoredSignal('SIGHUP', 'no mask here')).toBe(false);
  });
});
