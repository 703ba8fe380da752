// Runs a tool process the way the sandbox config says: inside bubblewrap, refused, or (mode off only) unsandboxed.
import type { RuntimeConfig } from '../config';
import { scrubEnvironment } from '../security';
import type { Sandbox, SandboxLimits } from '../security';
import { prlimitArgs } from '../security';
import type { ToolCallContext } from './tool-definition';
import { capHeadTail, failure, type ToolOutcome } from './tool-result';
import { runProcess, type ProcessResult } from './run-process';

export interface ProcessToolDeps {
  sandbox: Sandbox;
  /** The server's environment; only harmless locale variables are copied from it. */
  env: Record<string, string | undefined>;
  /** The server's API answers without a token (no APP_API_TOKEN): then no sandbox may share the host's network. */
  serverApiOpen: boolean;
}

export type SandboxedRun =
  | {
      ok: true;
      result: ProcessResult;
      sandboxed: boolean;
      warnings: string[];
      stdout: string;
      stderr: string;
      truncated: boolean;
    }
  | { ok: false; outcome: ToolOutcome };

const MIB = 1024 * 1024;

/** The resource limits of `tool_sandbox`, in the units prlimit takes. */
export function sandboxLimits(config: RuntimeConfig['tool_sandbox']): SandboxLimits {
  return {
    maxProcesses: config.max_processes,
    maxMemoryBytes: config.max_memory_mb * MIB,
    maxFileBytes: config.max_file_size_mb * MIB,
    maxCpuSeconds: config.max_cpu_seconds,
    tmpBytes: config.tmp_size_mb * MIB,
  };
}

/**
 * Runs `argv` for the agent with a scrubbed environment, bounded output (head and tail of `maxChars`, the
 * group killed past `tool_sandbox.max_output_mb`) and the resource limits. Without a working sandbox the call
 * is refused (`E_SANDBOX_UNAVAILABLE`) unless the operator chose `tool_sandbox.mode: off`.
 */
export async function runSandboxed(
  deps: ProcessToolDeps,
  context: ToolCallContext,
  argv: string[],
  options: { timeoutSeconds: number; maxChars: number; stdin?: string },
): Promise<SandboxedRun> {
  const sandboxConfig = context.config.tool_sandbox;
  const sandboxed = sandboxConfig.mode !== 'off';
  if (sandboxed && !deps.sandbox.isAvailable()) {
    // Asked before status(), which would probe again when there is no verdict yet.
    const retry = deps.sandbox.retryReason();
    const reason = retry ?? deps.sandbox.status().reason ?? 'bubblewrap is not available';
    const message = retry
      ? `The sandbox could not be tried (${reason}); the next call tries again`
      : `No sandbox can start on this machine (${reason}); set tool_sandbox.mode to off to run unsandboxed`;
    return { ok: false, outcome: failure('E_SANDBOX_UNAVAILABLE', message, { reason }, retry !== null) };
  }
  // With the host's network the sandbox reaches this server on loopback; without a token a call could switch
  // its own sandbox off (PUT /api/config/runtime) and run the next one unsandboxed, as the server's user.
  if (sandboxed && sandboxConfig.allow_network && deps.serverApiOpen) {
    return {
      ok: false,
      outcome: failure(
        'E_POLICY_DENIED',
        "tool_sandbox.allow_network gives sandboxed commands this server's API on loopback, and APP_API_TOKEN is not set; set APP_API_TOKEN (or turn allow_network off)",
        { rule: 'network_needs_api_token' },
        false,
      ),
    };
  }
  const limits = sandboxLimits(sandboxConfig);
  const env = scrubEnvironment(deps.env, { home: context.agentRoot });
  const plan = sandboxed
    ? deps.sandbox.plan(argv, { agentRoot: context.agentRoot, allowNetwork: sandboxConfig.allow_network, env, limits })
    : { argv: prlimitArgsOrNone(deps, limits).concat(argv) };
  const maxOutputBytes = sandboxConfig.max_output_mb * MIB;
  const result = await runProcess({
    argv: plan.argv,
    uid: 'uid' in plan ? plan.uid : undefined,
    gid: 'gid' in plan ? plan.gid : undefined,
    cwd: context.agentRoot,
    env: sandboxed ? {} : env,
    timeoutMs: options.timeoutSeconds * 1000,
    keepBytes: options.maxChars * 2,
    maxOutputBytes,
    stdin: options.stdin,
    signal: context.signal,
  });
  const stdout = capHeadTail(result.stdout, options.maxChars);
  const stderr = capHeadTail(result.stderr, options.maxChars);
  if (result.outputLimitExceeded) {
    return {
      ok: false,
      outcome: failure(
        'E_OUTPUT_LIMIT',
        `Output passed tool_sandbox.max_output_mb (${sandboxConfig.max_output_mb} MiB); the process group was killed`,
        {
          max_output_bytes: maxOutputBytes,
          stdout: stdout.text,
          stderr: stderr.text,
        },
        false,
      ),
    };
  }
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
  const warnings = sandboxed ? [] : ['unsandboxed: tool_sandbox.mode is off'];
  const truncated = stdout.truncated || stderr.truncated || result.droppedBytes > 0;
  return { ok: true, result, sandboxed, warnings, stdout: stdout.text, stderr: stderr.text, truncated };
}

/** Unsandboxed calls get the same limits where `prlimit` exists (a root server is exempt from the process limit). */
function prlimitArgsOrNone(deps: ProcessToolDeps, limits: SandboxLimits): string[] {
  const prlimit = deps.sandbox.prlimit();
  return prlimit ? prlimitArgs(prlimit, limits) : [];
}
