// A command's wrappers (sudo, env, nohup, timeout, sh -c…): what runs in the end, and the scripts it carries.
import { posix } from 'node:path';

/** Shells: a `-c` script of theirs is judged as a command line, a pipe into one is refused. */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh']);
/** Words that may come before a command's name without being it (shell keywords; assignments are matched apart). */
const KEYWORDS = new Set([
  '{',
  '}',
  '!',
  'then',
  'else',
  'elif',
  'do',
  'if',
  'while',
  'until',
  'time',
  'fi',
  'done',
  'esac',
]);
/** Commands that run another command, each with its options that take a value (skipped with it). */
const WRAPPER_OPTIONS_WITH_VALUE: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-R', '-T', '-U', '-r', '-t']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '--unset', '--chdir']),
  nice: new Set(['-n', '--adjustment']),
  ionice: new Set(['-c', '-n', '-p']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e']),
  xargs: new Set(['-I', '-n', '-P', '-d', '-L', '-s', '-E', '-a']),
  setsid: new Set(),
  nohup: new Set(),
  command: new Set(),
  builtin: new Set(),
  exec: new Set(['-a']),
  time: new Set(['-f', '-o']),
  busybox: new Set(),
  chroot: new Set(),
  watch: new Set(['-n', '-d']),
};

/** A command word's program name, without its folder (`/usr/bin/rm` -> `rm`). */
export const nameOf = (word: string) => posix.basename(word);

/** Strips wrappers (sudo, env, nohup, timeout…) and returns the real argv, plus any scripts to judge recursively. */
export function unwrapCommand(argv: string[]): { argv: string[]; scripts: string[] } {
  const scripts: string[] = [];
  let words = [...argv];
  for (let guard = 0; guard < 20 && words.length > 0; guard++) {
    while (words.length > 0 && (KEYWORDS.has(words[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!))) words.shift();
    if (words.length === 0) break;
    const name = nameOf(words[0]!);
    if (name === 'eval') {
      scripts.push(words.slice(1).join(' '));
      return { argv: [], scripts };
    }
    if (
      (SHELLS.has(name) || name === 'su') &&
      words.some((word, index) => index > 0 && /^-[a-z]*c[a-z]*$/.test(word))
    ) {
      const flagIndex = words.findIndex((word, index) => index > 0 && /^-[a-z]*c[a-z]*$/.test(word));
      if (words[flagIndex + 1] !== undefined) scripts.push(words[flagIndex + 1]!);
      return { argv: words, scripts };
    }
    const withValue = WRAPPER_OPTIONS_WITH_VALUE[name];
    if (!withValue) break;
    let index = 1;
    while (index < words.length) {
      const word = words[index]!;
      if (name === 'env' && (word === '-S' || word === '--split-string')) {
        scripts.push(words.slice(index + 1).join(' '));
        return { argv: [], scripts };
      }
      if (word === '--') {
        index++;
        break;
      }
      if (withValue.has(word)) index += 2;
      else if (word.startsWith('-') && word.length > 1) index++;
      else if (name === 'env' && word.includes('=')) index++;
      else break;
    }
    if (name === 'timeout' && index < words.length) index++; // the duration
    if (name === 'chroot' && index < words.length) index++; // the new root
    if (name === 'busybox' && index < words.length && SHELLS.has(words[index]!)) {
      words = words.slice(index);
      continue;
    }
    if (name === 'watch') {
      scripts.push(words.slice(index).join(' '));
      return { argv: [], scripts };
    }
    words = words.slice(index);
  }
  return { argv: words, scripts };
}
