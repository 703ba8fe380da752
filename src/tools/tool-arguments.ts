// A call's arguments checked before its tool runs: within the limits, JSON, and what the tool's schema takes.
import { z } from 'zod';
import { capToolArguments, oversizedArguments } from './oversized-arguments';
import type { ToolDefinition } from './tool-definition';
import { failure, type ToolOutcome } from './tool-result';

/** The key under which a call whose arguments were not JSON carries its raw text (see tool-gate-middleware). */
export const UNPARSED_ARGUMENTS = '__unparsed_arguments__';

const strictSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A tool's argument schema with unknown top-level keys refused (`unrecognized_keys`): a key the tool does
 * not declare (`dry_run`, `max_chars` for `maxChars`) would otherwise be dropped in silence and the call run
 * with a meaning the model did not ask for. The offered JSON Schema says so too (`additionalProperties: false`).
 */
export function strictArguments<Args>(schema: z.ZodType<Args>): z.ZodType<Args> {
  if (!(schema instanceof z.ZodObject)) return schema;
  let strict = strictSchemas.get(schema);
  if (!strict) {
    strict = schema.strict();
    strictSchemas.set(schema, strict);
  }
  return strict as z.ZodType<Args>;
}

/** One line per issue; unknown keys also name the keys the tool takes, so the model can correct the call. */
function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): { path: string; message: string } {
  const path = issue.path.join('.');
  if (issue.code !== 'unrecognized_keys' || !(schema instanceof z.ZodObject)) return { path, message: issue.message };
  const known = Object.keys(schema.shape);
  const takes = known.length > 0 ? `; the tool takes only ${known.join(', ')}` : '; the tool takes no arguments';
  return { path, message: `${issue.message}${takes}` };
}

/**
 * The arguments as `definition` takes them, or the `E_INVALID_ARGS` outcome of a call that must not run: arguments
 * cut to their oversized marker (capToolArguments), raw text that was not a JSON object, or off the tool's schema.
 */
export function checkArguments<Args>(
  definition: ToolDefinition<Args>,
  args: unknown,
  toolName: string,
): { data: Args } | { refused: ToolOutcome } {
  const oversized = oversizedArguments(args);
  if (oversized?.max_depth !== undefined) {
    const message = `Invalid arguments for ${toolName}: they nest deeper than ${oversized.max_depth} levels; the call was not run. Send flatter arguments`;
    return { refused: failure('E_INVALID_ARGS', message, { max_depth: oversized.max_depth }, false) };
  }
  if (oversized) {
    const message = `Invalid arguments for ${toolName}: ${oversized.chars} characters of JSON, over the limit of ${oversized.max_chars}; the call was not run. Send smaller arguments (split the work into several calls)`;
    const details = { chars: oversized.chars, max_chars: oversized.max_chars };
    return { refused: failure('E_INVALID_ARGS', message, details, false) };
  }
  const unparsed = (args as { [UNPARSED_ARGUMENTS]?: unknown } | null)?.[UNPARSED_ARGUMENTS];
  if (unparsed !== undefined) {
    const message = `Invalid arguments for ${toolName}: they are not valid JSON; send one JSON object`;
    // Text as the gate sets it; anything else came from the model as JSON (String() of `{"toString":0}` throws).
    const received = typeof unparsed === 'string' ? unparsed : (JSON.stringify(unparsed) ?? '');
    return { refused: failure('E_INVALID_ARGS', message, { received: received.slice(0, 500) }, false) };
  }
  const parsed = strictArguments(definition.schema).safeParse(args ?? {});
  if (parsed.success) return { data: parsed.data };
  const issues = parsed.error.issues.map((issue) => describeIssue(issue, definition.schema));
  const listed = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  return { refused: failure('E_INVALID_ARGS', `Invalid arguments for ${toolName}: ${listed}`, { issues }, false) };
}

/**
 * Whether a call of `definition` with the model's `args` gets past checkArguments. One that cannot is refused
 * unrun by the runner, so a tool held for approval does not first put it to a person.
 */
export function argumentsAccepted(definition: ToolDefinition, args: unknown): boolean {
  return 'data' in checkArguments(definition, capToolArguments(args), definition.name);
}
