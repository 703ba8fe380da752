import { describe, expect, it } from 'bun:test';
import { isDangerousTarget, isProtectedWrite, normalizeTarget } from './command-targets';
import { judgeCommand } from './command-guard';

describe('normalizeTarget', () => {
  it('strips trailing slashes, `/.`, `/*` and `/.*` one after another', () => {
    const cases = [
      'a/',
      'a//./*/.*',
      '$HOME/./',
      '~/',
      '"/etc/"',
      '/etc/./*',
      '/',
      '/*',
      '/.',
      'a/b/.*',
      '.',
      '*',
      './*',
      '',
      '""',
    ];
    expect(cases.map((target) => [target, normalizeTarget(target)])).toEqual([
      ['a/', 'a'],
      ['a//./*/.*', 'a'],
      ['$HOME/./', '$HOME'],
      ['~/', '$HOME'],
      ['"/etc/"', '/etc'],
      ['/etc/./*', '/etc'],
      ['/', '/'],
      ['/*', '/'],
      ['/.', '/'],
      ['a/b/.*', 'a/b'],
      ['.', '.'],
      ['*', '*'],
      ['./*', '.'],
      ['', ''],
      ['""', ''],
    ]);
  });

  it('strips tens of thousands of trailing slashes and `/.` in one pass', () => {
    expect(normalizeTarget(`a${'/'.repeat(60_000)}`)).toBe('a');
    expect(normalizeTarget(`a${'/.'.repeat(30_000)}`)).toBe('a');
    expect(isProtectedWrite(`/etc/passwd${'/'.repeat(60_000)}`)).toBe(true);
  }, 2000);
});

describe('isDangerousTarget', () => {
  it('refuses expansions with operators and keeps plain variables as before', () => {
    const cases = ['${D:-/etc}', '${a b}', '${HOME}', '${HOME}/', '${D}/x', 'x${D}y', '${}', '$1', 'notes/${NAME}.md'];
    expect(cases.map((target) => [target, isDangerousTarget(target)])).toEqual([
      ['${D:-/etc}', true],
      ['${a b}', true],
      ['${HOME}', true],
      ['${HOME}/', true],
      ['${D}/x', false],
      ['x${D}y', false],
      ['${}', false],
      ['$1', true],
      ['notes/${NAME}.md', false],
    ]);
  });

  it('fails closed on an unclosed `${`, however long the argument', () => {
    expect(isDangerousTarget('x${abc')).toBe(true);
    expect(isDangerousTarget('${'.repeat(3_500))).toBe(true);
    expect(isDangerousTarget(`\${${' '.repeat(150_000)}`)).toBe(true);
    expect(judgeCommand(`rm -r '${'${'.repeat(49_000)}'`)).toEqual(expect.objectContaining({ rule: 'rm_root' }));
  }, 2000);
});
