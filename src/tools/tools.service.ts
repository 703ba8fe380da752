// ToolsService: the catalogue of tools an agent may be offered, the policy check, and what one run offers.
import { z } from 'zod';
import type { RuntimeConfig } from '../config';
import type { OfferedTool, RunTools, ToolContext, ToolDefinition } from './tool-definition';
import { needsApproval } from './approval-policy';
import { decideToolPolicy, type PolicyFacts, type TriggerType } from './tool-policy';
import { strictArguments } from './tool-arguments';
import { createToolRunner, type ToolRunner, type ToolRunnerDeps } from './tool-runner';

/** Whether `tool` may be offered for `trigger` under `config` (pure; see decideToolPolicy for the rules). */
export function isToolAllowed(
  tool: Pick<ToolDefinition, 'name' | 'aliases' | 'level' | 'sandboxed'>,
  trigger: TriggerType,
  config: RuntimeConfig,
  facts: PolicyFacts = { sandboxAvailable: true },
): boolean {
  return decideToolPolicy(tool, trigger, config, facts).allowed;
}

export interface ToolsService {
  definitions(): readonly ToolDefinition[];
  /** The tool a call of `name` (a name or alias) means, when that call needs an approval on this trigger and config. */
  approvalFor(name: string, trigger: TriggerType, config: RuntimeConfig): ToolDefinition | null;
  /**
   * Resolves once what the policy decides on is known (the sandbox probe's verdict): a run's tools are picked
   * after it, so a turn arriving while the start-up probe runs waits for it instead of probing on the thread.
   */
  ready(): Promise<void>;
  /** The tools for one run. */
  forRun(context: ToolContext): RunTools;
  readonly runner: ToolRunner;
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const strict = strictArguments(schema);
  const { $schema: _ignored, ...rest } = z.toJSONSchema(strict, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The service over `definitions` (a name or alias used twice throws at construction). */
export function createToolsService(
  definitions: readonly ToolDefinition[],
  deps: Partial<ToolRunnerDeps> = {},
): ToolsService {
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
    ready: async () => {
      // A failed probe decides nothing here: the policy's own check reports it.
      await deps.sandboxProbed?.().catch(() => undefined);
    },
    approvalFor(name, trigger, config) {
      const definition = byName.get(name);
      if (!definition || !needsApproval(definition, trigger, config)) return null;
      // A call the policy refuses is refused at once by the runner (and audited), not first put to a person.
      const facts = { sandboxAvailable: deps.sandboxAvailable?.() ?? false };
      return decideToolPolicy(definition, trigger, config, facts).allowed ? definition : null;
    },
    forRun(context) {
      const execute: RunTools['execute'] = async (call) =>
        JSON.stringify(
          await runner.run(byName.get(call.name), call.args, {
            ...context,
            config: context.currentConfig?.() ?? context.config,
            runId: call.runId,
            toolName: call.name,
            signal: call.signal,
            model: call.model,
          }),
        );
      const offered: OfferedTool[] = [];
      for (const [name, definition] of byName) {
        if (runner.isAllowed(definition, context))
          offered.push({ name, description: definition.description, schema: schemas.get(definition)! });
      }
      return { offered, execute };
    },
  };
}
