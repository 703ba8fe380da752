// Runs one tool call: policy re-check, argument validation, retry guard, execution, audit; always a JSON result.
import { z } from 'zod';
import { systemClock, type Clock } from '../shared/clock';
import { silentLogger, type Logger } from '../shared/logger';
import { redactSecrets } from '../shared/redact';
import { auditToolCall } from './tool-audit';
import type { ToolAuditOutcome } from './tool-audit.port';
import type { ToolCallContext, ToolContext, ToolDefinition } from './tool-definition';
import { capToolArguments, oversizedArguments } from './oversized-arguments';
import { RetryGuard } from './retry-guard';
import { decideToolPolicy } from './tool-policy';
import { failure, toEnvelope, ToolFailure, type ToolEnvelope, type ToolOutcome } from './tool-result';

/** The key under which a call whose arguments were not JSON carries its raw text (see tool-gate-middleware). */
export const UNPARSED_ARGUMENTS = '__unparsed_arguments__';

export interface ToolRunnerDeps {
  clock: Clock;
  logger: Logger;
  /** Whether bubblewrap works on this machine (probed once by the sandbox; probes on this thread if not yet). */
  sandboxAvailable: () => boolean;
  /** Resolves once the sandbox's probe has given its verdict, the thread free meanwhile (at once when known). */
  sandboxProbed?: () => Promise<unknown>;
  /** Why the sandbox is unavailable for now only (its probe could not try; the next use probes again), else null. */
  sandboxRetryReason?: () => string | null;
}

export interface ToolRunner {
  isAllowed(definition: ToolDefinition, context: ToolContext): boolean;
  /** Never throws: every failure becomes an `ok:false` result, and every call is audited. */
  run(definition: ToolDefinition | undefined, rawArgs: unknown, context: ToolCallContext): Promise<ToolEnvelope>;
}

/** Arguments in a canonical form: keys sorted, strings trimmed with whitespace runs collapsed. */
export function normalizeArguments(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ');
  if (Array.isArray(value)) return value.map(normalizeArguments);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, normalizeArguments((value as Record<string, unknown>)[key])]),
    );
  }
  return value ?? null;
}

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

export function createToolRunner(deps: Partial<ToolRunnerDeps> = {}): ToolRunner {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const sandboxAvailable = deps.sandboxAvailable ?? (() => false);
  const sandboxRetryReason = deps.sandboxRetryReason ?? (() => null);
  const guard = new RetryGuard();

  /** Validates the arguments and runs the tool; a throw becomes a failed outcome. */
  const runChecked = async (
    definition: ToolDefinition,
    rawArgs: unknown,
    context: ToolCallContext,
  ): Promise<ToolOutcome> => {
    const oversized = oversizedArguments(rawArgs);
    if (oversized?.max_depth !== undefined) {
      const message = `Invalid arguments for ${context.toolName}: they nest deeper than ${oversized.max_depth} levels; the call was not run. Send flatter arguments`;
      return failure('E_INVALID_ARGS', message, { max_depth: oversized.max_depth }, false);
    }
    if (oversized) {
      const message = `Invalid arguments for ${context.toolName}: ${oversized.chars} characters of JSON, over the limit of ${oversized.max_chars}; the call was not run. Send smaller arguments (split the work into several calls)`;
      return failure('E_INVALID_ARGS', message, { chars: oversized.chars, max_chars: oversized.max_chars }, false);
    }
    const unparsed = (rawArgs as { [UNPARSED_ARGUMENTS]?: unknown } | null)?.[UNPARSED_ARGUMENTS];
    if (unparsed !== undefined) {
      const message = `Invalid arguments for ${context.toolName}: they are not valid JSON; send one JSON object`;
      // Text as the gate sets it; anything else came from the model as JSON (String() of `{"toString":0}` throws).
      const received = typeof unparsed === 'string' ? unparsed : (JSON.stringify(unparsed) ?? '');
      return failure('E_INVALID_ARGS', message, { received: received.slice(0, 500) }, false);
    }
    const parsed = strictArguments(definition.schema).safeParse(rawArgs ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => describeIssue(issue, definition.schema));
      return failure(
        'E_INVALID_ARGS',
        `Invalid arguments for ${context.toolName}: ${issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')}`,
        { issues },
        false,
      );
    }
    try {
      return await definition.run(parsed.data, context);
    } catch (error) {
      if (error instanceof ToolFailure) return failure(error.code, error.message, error.details);
      logger.error('tool threw', { tool: context.toolName, error: String(error) });
      return failure(
        'E_INTERNAL',
        'Unhandled tool exception',
        { exception: redactSecrets(error instanceof Error ? error.message : String(error)) },
        false,
      );
    }
  };

  const finish = async (
    context: ToolCallContext,
    rawArgs: unknown,
    outcome: ToolOutcome,
    startedAt: number,
    audit: ToolAuditOutcome,
    reason: string | null,
  ) => {
    const duration = performance.now() - startedAt;
    try {
      await auditToolCall(context.audit, context.agentRoot, {
        timestampMs: clock.nowMs(),
        runId: context.runId,
        sessionId: context.sessionId,
        triggerType: context.triggerType,
        toolName: context.toolName,
        arguments: rawArgs ?? {},
        outcome: audit,
        errorCode: outcome.ok ? null : outcome.error.code,
        reason,
        durationMs: Math.round(duration),
        model: context.model ?? null,
      });
    } catch (error) {
      logger.error('tool audit write failed', { tool: context.toolName, error: String(error) });
    }
    return toEnvelope(context.toolName, outcome, duration);
  };

  return {
    isAllowed: (definition, context) =>
      decideToolPolicy(definition, context.triggerType, context.config, { sandboxAvailable: sandboxAvailable() })
        .allowed,
    async run(definition, modelArgs, context) {
      const startedAt = performance.now();
      // Arguments past the limit are audited, counted and refused as their marker, never whole.
      const rawArgs = capToolArguments(modelArgs);
      if (!definition) {
        const outcome = failure('E_NOT_FOUND', `Unknown tool '${context.toolName}'`, { tool: context.toolName }, false);
        return finish(context, rawArgs, outcome, startedAt, 'error', 'unknown tool');
      }
      const decision = decideToolPolicy(definition, context.triggerType, context.config, {
        sandboxAvailable: sandboxAvailable(),
      });
      if (!decision.allowed) {
        const details = { rule: decision.rule, trigger: context.triggerType };
        const retry = decision.rule === 'sandbox_required' ? sandboxRetryReason() : null;
        const outcome = retry
          ? failure(
              'E_SANDBOX_UNAVAILABLE',
              `Tool '${definition.name}' runs only in the sandbox, which could not be tried (${retry}); the next call tries again`,
              { ...details, reason: retry },
              true,
            )
          : failure(
              decision.rule === 'sandbox_required' ? 'E_SANDBOX_UNAVAILABLE' : 'E_POLICY_DENIED',
              decision.reason,
              details,
              false,
            );
        return finish(context, rawArgs, outcome, startedAt, 'denied', outcome.ok ? null : outcome.error.message);
      }
      const scope = context.runId || `${context.sessionId || '__session__'}:${context.triggerType}`;
      // The arguments by their digest: a key held them whole (10,000 failed 1 MB calls kept 10 GB).
      const digest = new Bun.CryptoHasher('sha256').update(JSON.stringify(normalizeArguments(rawArgs))).digest('hex');
      const key = `${scope}\u0000${definition.name}\u0000${digest}`;
      const limit = context.config.tool_retry_guard.repeat_identical_failure_limit;
      const ticket = await guard.admit(key, limit, context.signal);
      if ('cancelled' in ticket) {
        const reason = 'The call was not run: its run was cancelled while it waited for identical calls under way';
        const outcome = failure('E_POLICY_DENIED', reason, { rule: 'retry_guard', cancelled: true }, false);
        return finish(context, rawArgs, outcome, startedAt, 'denied', reason);
      }
      if ('refused' in ticket) {
        const reason = `Retry blocked: this exact call already failed ${ticket.refused} time(s) in this run (tool_retry_guard.repeat_identical_failure_limit=${limit}); change the arguments or the approach`;
        return finish(
          context,
          rawArgs,
          failure('E_POLICY_DENIED', reason, { rule: 'retry_guard', failures: ticket.refused }, false),
          startedAt,
          'denied',
          reason,
        );
      }
      let outcome: ToolOutcome | undefined;
      try {
        outcome = await runChecked(definition, rawArgs, context);
      } finally {
        // Always settled: identical calls waiting on this one would otherwise wait for ever.
        ticket.settle(outcome?.ok ?? false);
      }
      return finish(
        context,
        rawArgs,
        outcome,
        startedAt,
        outcome.ok ? 'ok' : 'error',
        outcome.ok ? null : outcome.error.message,
      );
    },
  };
}
