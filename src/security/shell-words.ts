// A small POSIX-shell reader: splits a command line into pipelines of simple commands (words, redirects)
// and collects nested scripts ($(…), `…`, <(…)), so the command guard judges commands, not substrings.
//
// Ours on purpose. The guard needs what a general tokenizer throws away: `shell-quote` returns
// `$(rm -rf /)` as a `$` followed by operator tokens with the inner words spliced into the outer command,
// expands `$HOME` against an environment (to '' when unset) instead of marking the word dynamic, keeps
// a backtick substitution as one plain word, and leaves `f(){ …; }` as loose tokens.
// This reader keeps each nested script whole so the guard judges it on its own, flags dynamic and special
// words, and never throws (an unbalanced quote only makes it more cautious). command-guard.test.ts and the
// command corpus pin its behaviour.

export interface ShellWord {
  /** The word after quote removal; expansions are kept as written (`$HOME`, `$(…)`). */
  text: string;
  /** Contains an unquoted or double-quoted expansion ($VAR, $(…), `…`). */
  dynamic: boolean;
  /** Contains an unquoted glob (* ? [) or a leading ~, or is a process substitution. */
  special: boolean;
  /** The bodies of command/process substitutions inside this word. */
  nested: string[];
}

export interface ShellRedirect {
  op: string;
  target: ShellWord;
}

export interface ShellCommand {
  words: ShellWord[];
  redirects: ShellRedirect[];
  /** Followed by `&` (runs in the background). */
  background: boolean;
}

export interface ParsedShell {
  /** Each pipeline is one or more commands joined by `|`. */
  pipelines: ShellCommand[][];
  /** Every nested script (substitutions), to be judged on its own. */
  nested: string[];
  /** Names of functions the script defines. */
  functions: string[];
  /** Anything beyond plain words: operators, redirects, quotes that need a shell, expansions, globs. */
  needsShell: boolean;
}

/** Reads a balanced `(…)` body starting after the opening paren; returns the body and the index after `)`. */
function readBalanced(source: string, start: number): [string, number] {
  let depth = 1;
  let index = start;
  let quote: string | null = null;
  while (index < source.length) {
    const char = source[index]!;
    if (quote) {
      if (char === '\\' && quote === '"') index++;
      else if (char === quote) quote = null;
    } else if (char === '\\') index++;
    else if (char === "'" || char === '"') quote = char;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return [source.slice(start, index), index + 1];
    index++;
  }
  return [source.slice(start), source.length];
}

const OPERATOR_START = new Set([';', '&', '|', '\n', '(', ')', '<', '>']);

/** Parses `source`; never throws (unbalanced quotes run to the end, which only makes it more cautious). */
export function parseShell(source: string): ParsedShell {
  const result: ParsedShell = { pipelines: [], nested: [], functions: [], needsShell: false };
  let pipeline: ShellCommand[] = [];
  let command: ShellCommand = { words: [], redirects: [], background: false };
  let word: ShellWord | null = null;
  let pendingRedirect: string | null = null;
  const current = () => (word ??= { text: '', dynamic: false, special: false, nested: [] });
  const endWord = () => {
    if (!word) return;
    if (pendingRedirect) {
      command.redirects.push({ op: pendingRedirect, target: word });
      pendingRedirect = null;
    } else command.words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (command.words.length > 0 || command.redirects.length > 0) pipeline.push(command);
    command = { words: [], redirects: [], background: false };
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length > 0) result.pipelines.push(pipeline);
    pipeline = [];
  };
  const substitution = (body: string, marker: string) => {
    const target = current();
    target.dynamic = true;
    target.nested.push(body);
    target.text += marker;
    result.nested.push(body);
    result.needsShell = true;
  };

  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    const next = source[index + 1];
    if (char === ' ' || char === '\t') {
      endWord();
      index++;
    } else if (char === '#' && !word) {
      while (index < source.length && source[index] !== '\n') index++;
    } else if (char === '\\') {
      if (next === '\n') index += 2;
      else {
        current().text += next ?? '';
        result.needsShell = true;
        index += 2;
      }
    } else if (char === "'") {
      const end = source.indexOf("'", index + 1);
      const stop = end === -1 ? source.length : end;
      current().text += source.slice(index + 1, stop);
      result.needsShell = true;
      index = stop + 1;
    } else if (char === '"') {
      const target = current();
      result.needsShell = true;
      index++;
      while (index < source.length && source[index] !== '"') {
        const inner = source[index]!;
        if (inner === '\\' && index + 1 < source.length) {
          target.text += source[index + 1];
          index += 2;
        } else if (inner === '$' && source[index + 1] === '(') {
          const [body, after] = readBalanced(source, index + 2);
          substitution(body, `$(${body})`);
          index = after;
        } else if (inner === '`') {
          const end = source.indexOf('`', index + 1);
          const stop = end === -1 ? source.length : end;
          substitution(source.slice(index + 1, stop), '`…`');
          index = stop + 1;
        } else {
          if (inner === '$') target.dynamic = true;
          target.text += inner;
          index++;
        }
      }
      index++;
    } else if (char === '$' && next === '(') {
      const [body, after] = readBalanced(source, index + 2);
      substitution(body, `$(${body})`);
      index = after;
    } else if (char === '`') {
      const end = source.indexOf('`', index + 1);
      const stop = end === -1 ? source.length : end;
      substitution(source.slice(index + 1, stop), '`…`');
      index = stop + 1;
    } else if ((char === '<' || char === '>') && next === '(') {
      endWord();
      const [body, after] = readBalanced(source, index + 2);
      substitution(body, `${char}(${body})`);
      word!.special = true;
      endWord();
      index = after;
    } else if (OPERATOR_START.has(char)) {
      result.needsShell = true;
      if (char === '<' || char === '>') {
        // An all-digit word right before a redirect is its file descriptor (2>, 1>>).
        const pending = word as ShellWord | null;
        const isFd = pending !== null && /^\d+$/.test(pending.text) && !pending.dynamic;
        if (isFd) word = null;
        else endWord();
        let op = char;
        let cursor = index + 1;
        while (cursor < source.length && '<>&|'.includes(source[cursor]!) && op.length < 3) op += source[cursor++];
        pendingRedirect = op;
        index = cursor;
        continue;
      }
      if (char === '&' && next === '>') {
        endWord();
        pendingRedirect = source[index + 2] === '>' ? '&>>' : '&>';
        index += pendingRedirect.length;
        continue;
      }
      if (char === '(') {
        endWord();
        if (command.words.length === 1 && /^\s*\)/.test(source.slice(index + 1))) {
          // `name()`: a function definition; its body follows as ordinary commands.
          result.functions.push(command.words[0]!.text);
          command.words = [];
          index = source.indexOf(')', index) + 1;
        } else {
          endPipeline();
          index++;
        }
        continue;
      }
      if (char === '|' && next !== '|') {
        endCommand();
        index += next === '&' ? 2 : 1;
        continue;
      }
      if (char === '&' && next !== '&') command.background = true;
      endPipeline();
      index +=
        (char === '&' && next === '&') || (char === '|' && next === '|') || (char === ';' && next === ';') ? 2 : 1;
    } else {
      const target = current();
      if (char === '$') {
        target.dynamic = true;
        result.needsShell = true;
      }
      if (
        char === '*' ||
        char === '?' ||
        char === '[' ||
        (char === '~' && target.text === '') ||
        char === '{' ||
        char === '}' ||
        char === '!'
      ) {
        target.special = true;
        result.needsShell = true;
      }
      target.text += char;
      index++;
    }
  }
  endPipeline();
  for (const pipeline of result.pipelines) {
    for (const command of pipeline) {
      const first = command.words[0];
      if (first?.text === 'function' && command.words[1])
        result.functions.push(command.words[1].text.replace(/\(\)$/, ''));
      if (first && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text)) result.needsShell = true;
    }
  }
  return result;
}
