// Public surface of tools: the service, tool definitions and run contexts, the policy, the audit port, the built-in catalogue.
export { createToolsService, isToolAllowed, type ToolsService } from './tools.service';
export type {
  OfferedTool,
  RunTools,
  ToolCallContext,
  ToolContext,
  ToolDefinition,
  ToolSessions,
} from './tool-definition';
export type { PermissionLevel, TriggerType } from './tool-policy';
export { failure, success, type ToolEnvelope, type ToolOutcome } from './tool-result';
export type { ToolAuditEntry, ToolAuditOutcome, ToolAuditStore, ToolPorts } from './tool-audit.port';
export { createBuiltinTools, type BuiltinToolDeps } from './builtin-tools';
export { argumentsAccepted, strictArguments, UNPARSED_ARGUMENTS } from './tool-arguments';
export {
  capToolArguments,
  MAX_TOOL_ARGUMENTS_CHARS,
  MAX_TOOL_ARGUMENTS_DEPTH,
  OVERSIZED_ARGUMENTS,
} from './oversized-arguments';
export { auditToolCall } from './tool-audit';
