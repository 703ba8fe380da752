// terminal (alias exec): one shell command in the agent folder, judged by the deny-list, sandboxed by bubblewrap.
import { z } from 'zod';
import { judgeCommand } from '../../security';
import { MINIMAL_PATH } from '../../security';
import { parseShell } from '../../security';
import { runSandboxed, type ProcessToolDeps } from '../sandboxed-process';
import type { ToolDefinition } from '../tool-definition';
import { failure, success } from '../tool-result';

const schema = z.object({
  command: z.string().max(100_000).describe('The shell command to run in the agent folder'),
  timeout: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe('Seconds before the command is killed; can only shorten the configured limit'),
});

/** Builtins that have no executable: a command starting with one needs `sh -c`. */
const SHELL_BUILTINS = new Set([
  'cd',
  'export',
  'set',
  'unset',
  'source',
  '.',
  'alias',
  'ulimit',
  'umask',
  'exit',
  'read',
  'wait',
  'trap',
  'type',
  'shift',
  'local',
  'declare',
  'history',
  'jobs',
]);

/** The argv to spawn: the parsed words when the command is a plain argument vector, else `sh -c command`. */
export function commandArgv(command: string): { argv: string[]; shell: boolean } {
  const parsed = parseShell(command);
  const words = parsed.pipelines[0]?.[0]?.words.map((word) => word.text) ?? [];
  const plain =
    !parsed.needsShell && parsed.pipelines.length === 1 && parsed.pipelines[0]!.length === 1 && words.length > 0;
  if (
    plain &&
    !SHELL_BUILTINS.has(words[0]!) &&
    (words[0]!.includes('/') || Bun.which(words[0]!, { PATH: MINIMAL_PATH }))
  ) {
    return { argv: words, shell: false };
  }
  return { argv: ['/bin/sh', '-c', command], shell: true };
}

export function createTerminalTool(deps: ProcessToolDeps): ToolDefinition<z.output<typeof schema>> {
  return {
    name: 'terminal',
    aliases: ['exec'],
    description: 'Run a shell command in the agent folder (sandboxed) and return its exit code and output.',
    level: 3,
    sandboxed: true,
    schema,
    async run(args, context) {
      const command = args.command.trim();
      if (!command) return failure('E_INVALID_ARGS', 'command must not be empty');
      const verdict = judgeCommand(command);
      if (!verdict.allowed) return failure('E_POLICY_DENIED', verdict.reason, { command, rule: verdict.rule }, false);
      // The operator's limit is the ceiling: the model may ask for less time, never for more.
      const timeoutSeconds = Math.min(
        args.timeout ?? Number.POSITIVE_INFINITY,
        context.config.tool_timeouts.terminal_seconds,
      );
      const { argv, shell } = commandArgv(command);
      const run = await runSandboxed(deps, context, argv, {
        timeoutSeconds,
        maxChars: context.config.tool_output_limits.terminal_chars,
      });
      if (!run.ok) return run.outcome;
      return success(
        {
          exit_code: run.result.exitCode,
          stdout: run.stdout,
          stderr: run.stderr,
          truncated: run.truncated,
          timeout_seconds: timeoutSeconds,
          sandboxed: run.sandboxed,
          shell,
        },
        { truncated: run.truncated, warnings: run.warnings },
      );
    },
  };
}
