// Runs one tool call: policy re-check, argument validation, retry guard, execution, audit; always a JSON result.
import { systemClock, type Clock } from '../shared/clock';
import { silentLogger, type Logger } from '../shared/logger';
import { redactSecrets } from '../shared/redact';
import { auditToolCall } from './tool-audit';
import type { ToolAuditOutcome } from './tool-audit.port';
import type { ToolCallContext, ToolContext, ToolDefinition } from './tool-definition';
import { capToolArguments } from './oversized-arguments';
import { RetryGuard } from './retry-guard';
import { checkArguments } from './tool-arguments';
import { decideToolPolicy } from './tool-policy';
import { failure, toEnvelope, ToolFailure, type ToolEnvelope, type ToolOutcome } from './tool-result';

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
    const checked = checkArguments(definition, rawArgs, context.toolName);
    if ('refused' in checked) return checked.refused;
    try {
      return await definition.run(checked.data, context);
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
