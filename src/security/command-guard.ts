// The terminal's deny-list: judges each parsed command (after sudo/env/sh -c wrappers), never raw substrings.
import { isDangerousTarget, isProtectedWrite, normalizeTarget } from './command-targets';
import { parseShell, type ShellCommand, type ShellWord } from './shell-words';
import { nameOf, SHELLS, unwrapCommand } from './unwrap-command';

export type CommandVerdict = { allowed: true } | { allowed: false; rule: string; reason: string };

const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|bun|php|lua)$/;
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'nc', 'ncat', 'aria2c']);
const FORMATTERS = /^(mkfs(\..+)?|mke2fs|mkswap|wipefs|mkntfs|mkdosfs|mkfs_.+)$/;
const PARTITIONERS = new Set(['fdisk', 'sfdisk', 'cfdisk', 'parted', 'sgdisk', 'gdisk']);
const POWER = new Set(['shutdown', 'reboot', 'poweroff', 'halt', 'killall5']);

const deny = (rule: string, reason: string): CommandVerdict => ({ allowed: false, rule, reason });

const isRecursive = (args: string[]) => hasFlag(args, 'r', '--recursive') || hasFlag(args, 'R', '--recursive');

const hasFlag = (args: string[], short: string, long: string) =>
  args.some((arg) => arg === long || (arg.startsWith('-') && !arg.startsWith('--') && arg.slice(1).includes(short)));

function judgeArgv(argv: string[]): CommandVerdict {
  if (argv.length === 0) return { allowed: true };
  // A command whose name is decided at run time (`$R -rf /etc`, `"$(echo rm)" …`) cannot be judged.
  if (/[$`]/.test(argv[0]!))
    return deny('dynamic_command', 'Refused: the command name comes from a variable or a substitution');
  const name = nameOf(argv[0]!);
  const args = argv.slice(1);
  const operands = args.filter((arg) => !arg.startsWith('-') || arg === '-');
  if (args.includes('--no-preserve-root')) return deny('no_preserve_root', 'Refused: --no-preserve-root');
  if (name === 'rm' && isRecursive(args)) {
    const target = operands.find(isDangerousTarget);
    if (target !== undefined) return deny('rm_root', `Refused: recursive delete of '${target}'`);
    // No operand here means they come from elsewhere (`xargs rm -rf`): unknown targets, refused.
    if (operands.length === 0) return deny('rm_root', 'Refused: recursive delete of targets read at run time');
  }
  if (FORMATTERS.test(name)) return deny('mkfs', `Refused: ${name} formats a filesystem`);
  if (PARTITIONERS.has(name) && args.some((arg) => arg.startsWith('/dev/')))
    return deny('partition', `Refused: ${name} on a device`);
  if (name === 'dd') {
    const output = args.find((arg) => arg.startsWith('of='))?.slice(3);
    if (output && isProtectedWrite(output)) return deny('dd_device', `Refused: dd onto '${output}'`);
  }
  if (name === 'shred' && operands.some((arg) => isProtectedWrite(arg) || isDangerousTarget(arg)))
    return deny('shred', 'Refused: shred of a device or system path');
  if (POWER.has(name)) return deny('power', `Refused: ${name}`);
  if ((name === 'init' || name === 'telinit') && operands.some((arg) => arg === '0' || arg === '6'))
    return deny('power', `Refused: ${name} ${operands.join(' ')}`);
  if (
    name === 'systemctl' &&
    operands.some((arg) => /^(poweroff|reboot|halt|kexec|emergency|rescue|suspend|hibernate)$/.test(arg))
  ) {
    return deny('power', `Refused: systemctl ${operands.join(' ')}`);
  }
  if (name === 'kill' || name === 'pkill') {
    const targets = args[0]?.startsWith('-') && args[0] !== '--' ? args.slice(1) : args;
    if (targets.filter((arg) => arg !== '--').some((arg) => arg === '-1' || arg === '1'))
      return deny('kill_all', 'Refused: kill of every process or of init');
  }
  if (name === 'chmod' || name === 'chown' || name === 'chgrp') {
    const recursive = hasFlag(args, 'R', '--recursive');
    const target = operands
      .slice(1)
      .find((arg) => normalizeTarget(arg) === '/' || (recursive && isDangerousTarget(arg)));
    if (target !== undefined) return deny('chmod_root', `Refused: ${name} of '${target}'`);
    if (operands.slice(1).some(isProtectedWrite))
      return deny('write_system', `Refused: ${name} inside a system folder`);
  }
  if (name === 'find' && (args.includes('-delete') || args.includes('-exec') || args.includes('-execdir'))) {
    const roots = args.slice(0, args.findIndex((arg) => arg.startsWith('-')) >>> 0);
    if (roots.some(isDangerousTarget)) return deny('rm_root', 'Refused: find deleting under a system folder');
  }
  const writes: string[] = [];
  if (name === 'tee' || name === 'truncate' || name === 'touch' || name === 'chattr') writes.push(...operands);
  if (['cp', 'mv', 'install', 'ln', 'rsync', 'scp'].includes(name)) {
    const targetDir = args.findIndex((arg) => arg === '-t' || arg === '--target-directory');
    if (targetDir >= 0 && args[targetDir + 1]) writes.push(args[targetDir + 1]!);
    if (operands.length > 0) writes.push(operands.at(-1)!);
  }
  if (
    (name === 'sed' || name === 'perl') &&
    args.some((arg) => /^-[a-zA-Z]*i/.test(arg) || arg.startsWith('--in-place'))
  )
    writes.push(...operands);
  const written = writes.find(isProtectedWrite);
  if (written !== undefined) return deny('write_system', `Refused: writing into '${written}'`);
  return { allowed: true };
}

/** Whether an earlier command of the script left the agent folder (`cd /x`, `cd ~`, `cd ..`, `cd $V`). */
interface ScriptLocation {
  movedAway: boolean;
}

function judgePipeline(
  pipeline: ShellCommand[],
  functionCalls: Map<string, number>,
  depth: number,
  location: ScriptLocation,
): CommandVerdict {
  const names: string[] = [];
  for (const [position, command] of pipeline.entries()) {
    for (const redirect of command.redirects) {
      if (/>/.test(redirect.op) && isProtectedWrite(redirect.target.text))
        return deny('write_system', `Refused: redirect into '${redirect.target.text}'`);
    }
    const texts = command.words.map((word) => word.text);
    const xargsAt = texts.findIndex((text) => nameOf(text) === 'xargs');
    const rmAt = texts.findIndex((text, index) => index > xargsAt && nameOf(text) === 'rm');
    if (xargsAt >= 0 && rmAt > xargsAt && isRecursive(texts.slice(rmAt + 1))) {
      return deny('rm_root', 'Refused: recursive delete of targets read at run time (xargs)');
    }
    const { argv, scripts } = unwrapCommand(texts);
    for (const script of scripts) {
      const verdict = judgeCommand(script, depth + 1);
      if (!verdict.allowed) return verdict;
    }
    const name = argv[0] ? nameOf(argv[0]) : '';
    names.push(name);
    if (name) functionCalls.set(name, (functionCalls.get(name) ?? 0) + 1);
    const words: ShellWord[] = command.words;
    const reads = argv.slice(1).filter((arg) => !arg.startsWith('-'));
    if (
      (SHELLS.has(name) || name === 'source' || name === '.') &&
      words.some((word) => word.special && /^<\(/.test(word.text))
    ) {
      return deny('remote_script', `Refused: ${name} running a process substitution`);
    }
    if (
      SHELLS.has(name) &&
      scripts.length > 0 &&
      words.some((word) =>
        word.nested.some((body) => DOWNLOADERS.has(nameOf(parseShell(body).pipelines[0]?.[0]?.words[0]?.text ?? ''))),
      )
    ) {
      return deny('remote_script', 'Refused: running downloaded code');
    }
    if (position > 0 && SHELLS.has(name) && scripts.length === 0 && reads.length === 0) {
      return deny('pipe_to_shell', `Refused: piping into ${name}`);
    }
    if (
      position > 0 &&
      INTERPRETERS.test(name) &&
      (reads.length === 0 || reads[0] === '-') &&
      names.slice(0, position).some((upstream) => DOWNLOADERS.has(upstream))
    ) {
      return deny('pipe_to_shell', `Refused: piping a download into ${name}`);
    }
    const verdict = judgeArgv(argv);
    if (!verdict.allowed) return verdict;
    // Judged on the unwrapped command, so `sudo rm`, `env rm`, `builtin cd` count too.
    if (name === 'cd' || name === 'pushd')
      location.movedAway ||= argv[1] === undefined || /^[/~]|^\.\.|^-$|\$/.test(argv[1]);
    if (
      location.movedAway &&
      name === 'rm' &&
      isRecursive(argv.slice(1)) &&
      argv.slice(1).some((arg) => !arg.startsWith('-') && !arg.startsWith('/'))
    ) {
      return deny('rm_root', 'Refused: recursive delete of a relative path after leaving the agent folder');
    }
  }
  return { allowed: true };
}

/** Judges a whole command line, nested substitutions and `sh -c` scripts included. */
export function judgeCommand(command: string, depth = 0): CommandVerdict {
  if (depth > 8) return deny('too_deep', 'Refused: command nests too deeply to judge');
  const parsed = parseShell(command);
  for (const body of parsed.nested) {
    const verdict = judgeCommand(body, depth + 1);
    if (!verdict.allowed) return verdict;
  }
  const calls = new Map<string, number>();
  const location = { movedAway: false };
  for (const pipeline of parsed.pipelines) {
    const verdict = judgePipeline(pipeline, calls, depth, location);
    if (!verdict.allowed) return verdict;
  }
  const forks = parsed.pipelines.some(
    (pipeline) => pipeline.length > 1 || pipeline.some((command) => command.background),
  );
  for (const name of parsed.functions) {
    if (forks && (calls.get(name) ?? 0) >= 2)
      return deny('fork_bomb', `Refused: function '${name}' forks itself (fork bomb)`);
  }
  return { allowed: true };
}
