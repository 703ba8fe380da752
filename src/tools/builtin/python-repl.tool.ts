// python_repl: runs a Python snippet with python3 in the same sandbox as the terminal; stateless between calls.
import { z } from 'zod';
import { MINIMAL_PATH } from '../../security';
import { runSandboxed, type ProcessToolDeps } from '../sandboxed-process';
import type { ToolDefinition } from '../tool-definition';
import { failure, success } from '../tool-result';

const schema = z.object({ code: z.string().max(200_000).describe('Python 3 code; print() what you want to see') });

/** The python3 the sandbox can run (on the minimal PATH), or null when there is none. */
export function findPython(): string | null {
  return Bun.which('python3', { PATH: MINIMAL_PATH });
}

export function createPythonReplTool(
  deps: ProcessToolDeps & { python: string },
): ToolDefinition<z.output<typeof schema>> {
  return {
    name: 'python_repl',
    description: 'Run Python 3 code in the agent folder (sandboxed) and return what it prints.',
    // A Python process can do whatever a shell can: the same system level as the terminal.
    level: 3,
    sandboxed: true,
    schema,
    async run(args, context) {
      if (!args.code.trim()) return failure('E_INVALID_ARGS', 'code must not be empty');
      const timeoutSeconds = context.config.tool_timeouts.python_repl_seconds;
      // -I: isolated mode (no user site, no PYTHON* variables); the code arrives on stdin, so no argv size limit.
      const run = await runSandboxed(deps, context, [deps.python, '-I', '-'], {
        timeoutSeconds,
        maxChars: context.config.tool_output_limits.terminal_chars,
        stdin: args.code,
      });
      if (!run.ok) return run.outcome;
      if (run.result.exitCode !== 0) {
        return failure(
          'E_EXEC',
          `Python exited with code ${run.result.exitCode}`,
          { exit_code: run.result.exitCode, stdout: run.stdout, stderr: run.stderr },
          false,
        );
      }
      return success(
        { output: run.stdout.trim(), stderr: run.stderr, truncated: run.truncated, sandboxed: run.sandboxed },
        { truncated: run.truncated, warnings: run.warnings },
      );
    },
  };
}
