// A bubblewrap stand-in for the sandbox probe's tests: it counts its calls, answers when a test lets it, then refuses.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox, SandboxOptions } from '../../src/security/sandbox';

/** How long a fake that waits gives up after, should its test fail before letting it answer: one minute. */
const MAX_TICKS = 6000;

export interface FakeBwrap {
  /** The executable, for createSandbox({ bwrap }). */
  path: string;
  /** How many times it was started. */
  calls(): number;
  /** Options of a sandbox that probes with it, one way only (the scratch agent made in `probeParent`). */
  options(probeParent?: string): SandboxOptions;
}

export interface FakeBwrapOptions {
  /** Answer once this file exists, or after this many seconds; by default never (until killed, or a minute). */
  answerWhen?: string | number;
  /** The line it writes to stderr before exiting 1. */
  refusal?: string;
}

/** Writes the fake into `folder` (a test's temporary folder). */
export function fakeBwrap(folder: string, options: FakeBwrapOptions = {}): FakeBwrap {
  const path = join(folder, 'bwrap');
  const callsFile = join(folder, 'bwrap-calls');
  const { answerWhen, refusal = 'bwrap: refused' } = options;
  const wait =
    typeof answerWhen === 'number'
      ? `sleep ${answerWhen}`
      : `n=0\nwhile [ ! -e '${answerWhen ?? join(folder, 'never')}' ] && [ $n -lt ${MAX_TICKS} ]; do sleep 0.01; n=$((n+1)); done`;
  writeFileSync(path, `#!/bin/sh\necho call >> '${callsFile}'\n${wait}\necho '${refusal}' >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return {
    path,
    calls: () => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').split('\n').length - 1 : 0),
    options: (probeParent) => ({
      bwrap: path,
      probeParent,
      variants: [{ start: 'direct', proc: false, hardened: false }],
    }),
  };
}

/** `sandbox` with the calls of its probed() counted: how many callers have asked for the verdict so far. */
export function countingProbed(sandbox: Sandbox): { sandbox: Sandbox; asked: () => number } {
  let asked = 0;
  return {
    sandbox: {
      ...sandbox,
      probed: () => {
        asked += 1;
        return sandbox.probed();
      },
    },
    asked: () => asked,
  };
}
