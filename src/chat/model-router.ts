// A turn over the agent's model route: each profile in order, its breaker asked first, failures handed on by class.
import type { BreakerBoard, LlmService, ModelProfile, ModelRoute } from '../llm';
import { errorMessageOf } from '../shared/redact';
import type { UsageRecord } from '../usage';
import type { ChatEvent } from './chat-events';
import { classifyFailure } from './failure-class';
import type { ResolvedLlm } from './model-factory';
import { retryDelayMs } from './retry-policy';
import {
  runAgentTurn,
  type AgentTurnInput,
  type AgentTurnResult,
  type AttemptFailure,
  type FailureDecision,
} from './run-agent';

export interface RoutedTurnInput extends Omit<AgentTurnInput, 'llm' | 'decide' | 'attemptsBefore'> {
  route: ModelRoute;
  breakers: BreakerBoard;
}

/** A profile as the chat model factory takes it. */
export function llmOf(profile: ModelProfile): ResolvedLlm {
  const { baseUrl, apiKey, model, headers, timeoutSeconds } = profile;
  return { baseUrl, apiKey, model, headers, timeoutSeconds };
}

/** TOOL_LOOP_MODEL names a model of the LLM_* provider: other profiles keep only the per-model overrides. */
export function toolLoopSettings(
  profile: ModelProfile,
  settings: AgentTurnInput['llmSettings'],
): AgentTurnInput['llmSettings'] {
  return profile.source === 'env' ? settings : { ...settings, toolLoopModel: '' };
}

const messageOf = (error: unknown) => errorMessageOf(error);

/**
 * Runs the turn on the first profile of the route whose breaker lets it through; on a failure that the
 * route's `fallback_on` allows, and only while nothing reached the client, moves to the next profile
 * with a `model_fallback` event. Each profile gets `agent_runtime.max_retries` retries first, unless
 * its breaker opens. Every classified failure and every answer is reported to the profile's breaker; a probe
 * that ends with neither (cancelled, stopped at max_steps, a storage fault) is given back for the next turn.
 * The result's usage is the answering model's; `failedUsage` holds what earlier profiles used.
 */
export async function* runRoutedTurn(input: RoutedTurnInput): AsyncGenerator<ChatEvent, AgentTurnResult> {
  const { route, breakers, config } = input;
  const candidates = route.candidates;
  const failedUsage: UsageRecord[] = [];
  let attemptsBefore = 0;
  // The turn's run id until an attempt opens with its own: the error names the last attempt, or the run (contract §3.7).
  let runId = input.runId ?? '';
  let previous: { id: string; reason: string; message: string } | null = null;
  const isNextAvailable = (index: number) =>
    candidates.slice(index + 1).some((profile) => breakers.isAvailable(profile.id));

  for (let index = 0; index < candidates.length; index++) {
    const profile = candidates[index]!;
    const admission = breakers.admit(profile.id);
    if (admission === 'skip') {
      const reason = breakers.snapshot(profile.id).lastError?.reason ?? 'server_error';
      // A profile paused by failures its route would not fall back on (auth) ends the turn as those failures would.
      if (!route.fallbackOn[reason as keyof ModelRoute['fallbackOn']]) break;
      previous ??= {
        id: profile.id,
        reason: 'circuit_open',
        message: `Profile ${profile.id} is paused (circuit open)`,
      };
      continue;
    }
    if (previous)
      yield { type: 'model_fallback', data: { from: previous.id, to: profile.id, reason: previous.reason } };
    const timeoutMs = (profile.timeoutSeconds ?? config.llm_runtime.timeout_seconds) * 1000;
    let lastReason = 'other';
    // Whether the breaker heard how this profile did: a probe that ends without a verdict is given back.
    let judged = false;
    const decide = ({ error, attempt, retryable }: AttemptFailure): FailureDecision => {
      const reason = classifyFailure(error, input.signal);
      lastReason = reason;
      if (reason === 'aborted') return { action: 'report' };
      judged = true;
      // `other` (a refused request, a missing model) still proves the provider is there.
      if (reason === 'other') breakers.success(profile.id);
      else breakers.failure(profile.id, reason, messageOf(error));
      if (!retryable) return { action: 'report' };
      const handOver: FailureDecision =
        reason !== 'other' && route.fallbackOn[reason] && isNextAvailable(index)
          ? { action: 'hand_over' }
          : { action: 'report' };
      if (!breakers.isAvailable(profile.id)) return handOver;
      const delay = retryDelayMs(error, attempt, timeoutMs);
      if (attempt < config.agent_runtime.max_retries && delay !== null) return { action: 'retry', delayMs: delay };
      return handOver;
    };
    const turn = runAgentTurn({
      ...input,
      llm: llmOf(profile),
      llmSettings: toolLoopSettings(profile, input.llmSettings),
      attemptsBefore,
      decide,
    });
    let result: AgentTurnResult;
    try {
      let step = await turn.next();
      while (!step.done) {
        if (step.value.type === 'run_start') {
          attemptsBefore += 1;
          runId = step.value.data.run_id;
        }
        yield step.value;
        step = await turn.next();
      }
      result = step.value;
      if (result.ok) {
        breakers.success(profile.id);
        judged = true;
      }
    } finally {
      // Cancelled, stopped at max_steps, a storage fault, the caller gone: else no turn could probe it again.
      if (admission === 'probe' && !judged) breakers.release(profile.id);
    }
    if (!result.handedOver) return { ...result, failedUsage };
    if (result.usage) failedUsage.push(result.usage);
    previous = { id: profile.id, reason: lastReason, message: messageOf(result.handedOver.error) };
  }
  // Every remaining profile is paused by its breaker: no request is made.
  const message = previous
    ? `No model of the route could answer: ${previous.message}`
    : `Every model of the route is paused by its circuit breaker (${candidates.map((profile) => profile.id).join(', ')}).`;
  yield {
    type: 'error',
    data: { error: message, run_id: runId, attempt: Math.max(1, attemptsBefore), code: 'llm_unavailable' },
  };
  return { ok: false, content: '', runId, usage: null, error: { code: 'llm_unavailable', message }, failedUsage };
}

/** What one-shot calls need of the llm domain: the agent's route and the breakers. */
export type ModelAccess = Pick<LlmService, 'route' | 'breakers'>;

/**
 * One request (a title, a summary) over the route: the first profile its breaker lets through; on a
 * failure `fallback_on` allows, the next. Breakers hear every outcome. Throws the last failure (503
 * `llm_not_configured` when no profile can run, or an Error when all are paused).
 */
export async function callRouted<T>(
  route: ModelRoute,
  breakers: BreakerBoard,
  call: (llm: ResolvedLlm, profile: ModelProfile) => Promise<T>,
): Promise<T> {
  let lastError: unknown = new Error('Every model of the route is paused by its circuit breaker');
  for (const profile of route.candidates) {
    if (breakers.admit(profile.id) === 'skip') continue;
    try {
      const result = await call(llmOf(profile), profile);
      breakers.success(profile.id);
      return result;
    } catch (error) {
      lastError = error;
      const reason = classifyFailure(error);
      if (reason === 'aborted') breakers.release(profile.id);
      else if (reason === 'other') breakers.success(profile.id);
      else breakers.failure(profile.id, reason, messageOf(error));
      if (reason === 'other' || reason === 'aborted' || !route.fallbackOn[reason]) throw error;
    }
  }
  throw lastError;
}
