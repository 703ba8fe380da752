// Which tool a trigger may use: one pure decision over trigger, tool, config and the sandbox's presence.
import type { RuntimeConfig } from '../config';

/** L0 read, L1 write, L2 network, L3 system. */
export type PermissionLevel = 0 | 1 | 2 | 3;
export type TriggerType = 'chat' | 'cron' | 'heartbeat';

/** What the policy needs to know about a tool. */
export interface PolicyTool {
  name: string;
  aliases?: readonly string[];
  level: PermissionLevel;
  /** Runs processes (terminal, python_repl): subject to the sandbox rules. */
  sandboxed?: boolean;
}

/** Facts about this machine that the policy depends on. */
export interface PolicyFacts {
  /** Whether bubblewrap exists and works here. */
  sandboxAvailable: boolean;
}

export type PolicyRule = 'chat_blocked' | 'not_allowlisted' | 'sandbox_required' | 'autonomous_unsandboxed';

export type PolicyDecision = { allowed: true } | { allowed: false; rule: PolicyRule; reason: string };

/**
 * The tool policy (the matrix tested in tool-policy.test.ts). A tool and its aliases are one family:
 * naming any of them in a list names the family.
 * 1. `autonomous_tools.chat_blocked_tools` forbids the family on every trigger (an allowlist cannot undo it).
 * 2. Sandbox rules, which no allowlist can undo either: unless `tool_sandbox.mode` is `off`, process tools
 *    run sandboxed or not at all (refused everywhere when no sandbox can start); an unattended run (cron,
 *    heartbeat) never gets an unsandboxed process tool (mode `off`).
 * 3. `chat` may use every level up to L3 (L3 is the highest there is).
 * 4. `cron` and `heartbeat` get exactly their allowlist (`cron_enabled_tools`, `heartbeat_enabled_tools`),
 *    whatever the tool's level: the list is the grant, the level is what the operator weighs when listing.
 */
export function decideToolPolicy(
  tool: PolicyTool,
  trigger: TriggerType,
  config: RuntimeConfig,
  facts: PolicyFacts,
): PolicyDecision {
  const names = [tool.name, ...(tool.aliases ?? [])];
  const lists = config.autonomous_tools;
  if (names.some((name) => lists.chat_blocked_tools.includes(name))) {
    return {
      allowed: false,
      rule: 'chat_blocked',
      reason: `Tool '${tool.name}' is blocked by autonomous_tools.chat_blocked_tools`,
    };
  }
  if (tool.sandboxed) {
    const mode = config.tool_sandbox.mode;
    if (mode !== 'off' && !facts.sandboxAvailable) {
      return {
        allowed: false,
        rule: 'sandbox_required',
        reason: `Tool '${tool.name}' runs only in the sandbox (tool_sandbox.mode is ${mode}) and bubblewrap is unavailable`,
      };
    }
    if (trigger !== 'chat' && mode === 'off') {
      return {
        allowed: false,
        rule: 'autonomous_unsandboxed',
        reason: `Tool '${tool.name}' never runs unsandboxed for a ${trigger} run`,
      };
    }
  }
  if (trigger === 'chat') return { allowed: true };
  const allowlist = trigger === 'cron' ? lists.cron_enabled_tools : lists.heartbeat_enabled_tools;
  const key = trigger === 'cron' ? 'cron_enabled_tools' : 'heartbeat_enabled_tools';
  if (!names.some((name) => allowlist.includes(name))) {
    return { allowed: false, rule: 'not_allowlisted', reason: `Tool '${tool.name}' is not in autonomous_tools.${key}` };
  }
  return { allowed: true };
}
