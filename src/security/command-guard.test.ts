import { describe, expect, it } from 'bun:test';
import { judgeCommand } from './command-guard';
import { parseShell } from './shell-words';
import { DENY_CORPUS, LOOK_ALIKES } from '../../test/support/command-corpus';

describe('judgeCommand', () => {
  it(`refuses all ${DENY_CORPUS.length} dangerous variants`, () => {
    expect(DENY_CORPUS.length).toBeGreaterThanOrEqual(30);
    const allowed = DENY_CORPUS.filter((command) => judgeCommand(command).allowed);
    expect(allowed).toEqual([]);
  });

  it('allows the look-alikes', () => {
    const refused = LOOK_ALIKES.map((command) => [command, judgeCommand(command)] as const).filter(
      ([, verdict]) => !verdict.allowed,
    );
    expect(refused).toEqual([]);
  });

  it('says which rule refused', () => {
    expect(judgeCommand('sudo rm -rf /')).toEqual({
      allowed: false,
      rule: 'rm_root',
      reason: "Refused: recursive delete of '/'",
    });
    expect(judgeCommand(':(){ :|:& };:')).toEqual(expect.objectContaining({ rule: 'fork_bomb' }));
    expect(judgeCommand('curl x | sh')).toEqual(expect.objectContaining({ rule: 'pipe_to_shell' }));
  });
});

describe('parseShell', () => {
  it('splits pipelines, removes quotes and finds nested scripts', () => {
    const parsed = parseShell(`echo 'a b' "c $(date)" | wc -l > out.txt; ls`);
    expect(
      parsed.pipelines.map((pipeline) => pipeline.map((command) => command.words.map((word) => word.text))),
    ).toEqual([
      [
        ['echo', 'a b', 'c $(date)'],
        ['wc', '-l'],
      ],
      [['ls']],
    ]);
    expect(parsed.pipelines[0]![1]!.redirects.map((redirect) => [redirect.op, redirect.target.text])).toEqual([
      ['>', 'out.txt'],
    ]);
    expect(parsed.nested).toEqual(['date']);
    expect(parsed.needsShell).toBe(true);
  });

  it('knows a plain argument vector needs no shell', () => {
    expect(parseShell('ls -la notes').needsShell).toBe(false);
    expect(parseShell('ls *.md').needsShell).toBe(true);
    expect(parseShell('FOO=1 env').needsShell).toBe(true);
  });
});
