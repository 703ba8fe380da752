// Runs a tool process the way the sandbox config says: inside bubblewrap, refused, or unsandboxed with a warning.
import { scrubEnvironment } from '../security/env-scrub';
import type { Sandbox } from '../security/sandbox';
import type { ToolCallContext } from './tool-registry';
import { capHeadTail, failure, type ToolOutcome } from './tool-result';
import { runProcess, type ProcessResult } from './run-process';

export interface ProcessToolDeps {
  sandbox: Sandbox;
  /** The server's environment; only harmless locale variables are copied from it. */
  env: Record<string, string | undefined>;
}

export type SandboxedRun =
  | { ok: true; result: ProcessResult; sandboxed: boolean; warnings: string[]; stdout: string; stderr: string; truncated: boolean }
  | { ok: false; outcome: ToolOutcome };

/** Runs `argv` in the agent folder with a scrubbed environment, capping each stream at `maxChars` (head and tail). */
export async function runSandboxed(
  deps: ProcessToolDeps,
  context: ToolCallContext,
  argv: string[],
  options: { timeoutSeconds: number; maxChars: number; stdin?: string },
): Promise<SandboxedRun> {
  const { mode, allow_network: allowNetwork } = context.config.tool_sandbox;
  const available = mode !== 'off' && deps.sandbox.isAvailable();
  if (mode === 'required' && !available) {
    return { ok: false, outcome: failure('E_SANDBOX_UNAVAILABLE', 'tool_sandbox.mode is required but bubblewrap is not available on this machine', {}, false) };
  }
  const warnings: string[] = [];
  if (!available) warnings.push(mode === 'off' ? 'unsandboxed: tool_sandbox.mode is off' : 'unsandboxed: bubblewrap (bwrap) is not available');
  const env = scrubEnvironment(deps.env, { home: context.agentRoot });
  const finalArgv = available ? deps.sandbox.wrap(argv, { root: context.agentRoot, allowNetwork, env }) : argv;
  const result = await runProcess({
    argv: finalArgv,
    cwd: context.agentRoot,
    env: available ? {} : env,
    timeoutMs: options.timeoutSeconds * 1000,
    keepBytes: options.maxChars * 2,
    stdin: options.stdin,
    signal: context.signal,
  });
  const stdout = capHeadTail(result.stdout, options.maxChars);
  const stderr = capHeadTail(result.stderr, options.maxChars);
  if (result.timedOut) {
    return {
      ok: false,
      outcome: failure('E_TIMEOUT', `Timed out after ${options.timeoutSeconds} s; the process group was killed`, {
        timeout_seconds: options.timeoutSeconds,
        stdout: stdout.text,
        stderr: stderr.text,
      }),
    };
  }
  return { ok: true, result, sandboxed: available, warnings, stdout: stdout.text, stderr: stderr.text, truncated: stdout.truncated || stderr.truncated || result.droppedBytes > 0 };
}
