// The catalogue of tools an agent may be offered, filtered by the policy for a trigger.
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { RuntimeConfig } from '../config/runtime-config.schema';

/** L0 read, L1 write, L2 network, L3 system. */
export type PermissionLevel = 0 | 1 | 2 | 3;
export type TriggerType = 'chat' | 'cron' | 'heartbeat';

export interface ToolContext {
  agentId: string;
  agentRoot: string;
  sessionId: string;
  triggerType: TriggerType;
  config: RuntimeConfig;
}

export interface ToolDefinition {
  name: string;
  aliases?: string[];
  level: PermissionLevel;
  /** Builds the LangChain tool bound to one run's context. */
  create(context: ToolContext): StructuredToolInterface;
}

/** Whether `tool` may be offered for `trigger` under `config` (pure; the policy matrix). */
export function isToolAllowed(tool: Pick<ToolDefinition, 'name' | 'aliases'>, trigger: TriggerType, config: RuntimeConfig): boolean {
  const names = [tool.name, ...(tool.aliases ?? [])];
  if (names.some((name) => config.autonomous_tools.chat_blocked_tools.includes(name))) return false;
  if (trigger === 'chat') return true;
  const allowed = trigger === 'cron' ? config.autonomous_tools.cron_enabled_tools : config.autonomous_tools.heartbeat_enabled_tools;
  return names.some((name) => allowed.includes(name));
}

export interface ToolRegistry {
  definitions(): readonly ToolDefinition[];
  /** The tools to hand the model for this run. */
  forRun(context: ToolContext): StructuredToolInterface[];
}

export function createToolRegistry(definitions: readonly ToolDefinition[]): ToolRegistry {
  return {
    definitions: () => definitions,
    forRun: (context) =>
      definitions.filter((definition) => isToolAllowed(definition, context.triggerType, context.config)).map((definition) => definition.create(context)),
  };
}
