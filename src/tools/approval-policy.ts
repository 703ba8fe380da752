// Which tool calls wait for a person's decision: the `tool_approvals` lists of the runtime config, per trigger.
import type { RuntimeConfig } from '../config';
import type { ToolDefinition } from './tool-definition';
import type { TriggerType } from './tool-policy';

/**
 * Whether a call of `tool` on a `trigger` run needs an approval: its list names the tool or one of its aliases
 * (a family, as in the tool policy), or its permission level (`L2` names every L2 tool).
 */
export function needsApproval(
  tool: Pick<ToolDefinition, 'name' | 'aliases' | 'level'>,
  trigger: TriggerType,
  config: RuntimeConfig,
): boolean {
  const list = config.tool_approvals[trigger];
  if (list.length === 0) return false;
  return list.includes(`L${tool.level}`) || [tool.name, ...(tool.aliases ?? [])].some((name) => list.includes(name));
}
