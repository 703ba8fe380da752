// The catalogue of tools an agent may be offered: definitions, the policy check, and what one run offers.
import type { Database } from 'bun:sqlite';
import { z } from 'zod';
import type { RuntimeConfig } from '../config/runtime-config.schema';
import type { SessionStore } from '../sessions/session.store';
import { decideToolPolicy, type PermissionLevel, type PolicyFacts, type TriggerType } from './tool-policy';
import type { ToolOutcome } from './tool-result';
import { createToolRunner, type ToolRunner, type ToolRunnerDeps } from './tool-runner';

export type { PermissionLevel, TriggerType } from './tool-policy';

/** One run's view of the agent, shared by every tool call of that run. */
export interface ToolContext {
  agentId: string;
  /** Absolute agent folder: the tools' root and the terminal's working folder. */
  agentRoot: string;
  sessionId: string;
  triggerType: TriggerType;
  config: RuntimeConfig;
  /** The agent database (audit rows). */
  db: Database;
  /** The agent's own sessions (sessions_list, session_history). */
  sessions: SessionStore;
}

/** A single call: the run context plus the run id and the name the model used (an alias reports itself). */
export interface ToolCallContext extends ToolContext {
  runId: string;
  toolName: string;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal;
}

export interface ToolDefinition<Args = any> {
  name: string;
  /** Extra names offered as separate tools with identical behaviour (`exec` for `terminal`). */
  aliases?: readonly string[];
  /** One short phrase the model reads. */
  description: string;
  level: PermissionLevel;
  /** Arguments as the model sees them (JSON Schema from zod); validated by the runner, not by LangChain. */
  schema: z.ZodType<Args>;
  /** Runs processes (terminal, python_repl): subject to the sandbox rules of the policy. */
  sandboxed?: boolean;
  run(args: Args, context: ToolCallContext): Promise<ToolOutcome>;
}

/** Whether `tool` may be offered for `trigger` under `config` (pure; see decideToolPolicy for the rules). */
export function isToolAllowed(
  tool: Pick<ToolDefinition, 'name' | 'aliases' | 'level' | 'sandboxed'>,
  trigger: TriggerType,
  config: RuntimeConfig,
  facts: PolicyFacts = { sandboxAvailable: true },
): boolean {
  return decideToolPolicy(tool, trigger, config, facts).allowed;
}

/** A tool declaration for the model: name, description and JSON Schema of its arguments. */
export interface OfferedTool {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface RunTools {
  /** Declarations bound to the model: only what the policy allows for this run's trigger. */
  offered: OfferedTool[];
  /** Runs one call, offered or not, through the runner (policy, retry guard, audit); returns the JSON result. */
  execute(call: { name: string; args: unknown; runId: string; signal?: AbortSignal }): Promise<string>;
}

export interface ToolRegistry {
  definitions(): readonly ToolDefinition[];
  /** The tools for one run. */
  forRun(context: ToolContext): RunTools;
  readonly runner: ToolRunner;
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function createToolRegistry(definitions: readonly ToolDefinition[], deps: Partial<ToolRunnerDeps> = {}): ToolRegistry {
  const runner = createToolRunner(deps);
  const byName = new Map<string, ToolDefinition>();
  for (const definition of definitions) {
    for (const name of [definition.name, ...(definition.aliases ?? [])]) {
      // Programming error in the built-in list (names are ours, never input): fail at start-up, not as an AppError.
      if (byName.has(name)) throw new Error(`duplicate tool name: ${name}`);
      byName.set(name, definition);
    }
  }
  const schemas = new Map(definitions.map((definition) => [definition, jsonSchemaOf(definition.schema)]));
  return {
    runner,
    definitions: () => definitions,
    forRun(context) {
      const execute: RunTools['execute'] = async (call) =>
        JSON.stringify(await runner.run(byName.get(call.name), call.args, { ...context, runId: call.runId, toolName: call.name, signal: call.signal }));
      const offered: OfferedTool[] = [];
      for (const [name, definition] of byName) {
        if (runner.isAllowed(definition, context)) offered.push({ name, description: definition.description, schema: schemas.get(definition)! });
      }
      return { offered, execute };
    },
  };
}
