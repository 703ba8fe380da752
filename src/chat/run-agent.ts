// The turn orchestrator: attempts with retries around the model boundary, their events, and the turn's outcome.
import type { LlmSettings, RuntimeConfig } from '../config';
import { newId } from '../shared/ids';
import { errorMessageOf } from '../shared/redact';
import { isStorageFault } from '../shared/storage-fault';
import type { RunTools, TriggerType } from '../tools';
import { createUsagePricer, type UsagePricer, type UsageRecord } from '../usage';
import { openAgentStream } from './agent-stream';
import type { ChatEvent } from './chat-events';
import type { ModelMessage } from '../sessions';
import { resolveToolLoopModel, type ResolvedLlm } from './model-factory';
import { InFlightCall } from './in-flight-call';
import { incompleteStreamOf, streamEstimateOf } from './model-stream-guard';
import { retryDelayMs } from './retry-policy';
import type { RunCheckpointer, TurnStep } from './run-checkpointer';
import { toStreamItem } from './stream-items';
import { StreamMapper, TurnTranscript } from './stream-mapper';
import { createTurnUsage } from './turn-usage';

export interface AgentTurnInput {
  llm: ResolvedLlm;
  llmSettings: Pick<LlmSettings, 'toolLoopModel' | 'toolLoopModelOverrides'>;
  config: RuntimeConfig;
  systemPrompt: string;
  history: ModelMessage[];
  message: string;
  /** The tools offered for this run; every call (offered or not) goes through `tools.execute`. */
  tools: RunTools;
  agentId: string;
  sessionId: string;
  triggerType: TriggerType;
  /** Waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Prices usage for events and the result (the embedded catalog when absent). */
  price?: UsagePricer;
  /** Aborts the model call and the tool processes (the agent was deleted, or the run was cancelled). */
  signal?: AbortSignal;
  /** The id of the first attempt (the run's id); later attempts get new ones. */
  runId?: string;
  /** Attempts already made in this turn (by earlier models of the route): numbering goes on from there. */
  attemptsBefore?: number;
  /** Follows the turn for a checkpoint, should a tool call wait for approval. */
  checkpointer?: RunCheckpointer;
  /** A paused run restored after a restart: the steps it goes on from (their text and usage count as the turn's). */
  continuation?: { steps: TurnStep[] };
  /** What to do after a failed attempt; by default retry (per `retryDelayMs`) up to `agent_runtime.max_retries`. */
  decide?: (failure: AttemptFailure) => FailureDecision;
}

/** A failed attempt, as `decide` sees it. */
export interface AttemptFailure {
  error: unknown;
  /** 0-based attempt of this model. */
  attempt: number;
  /** Nothing of the attempt reached the client and no tool ran: another attempt (or model) may take over. */
  retryable: boolean;
}

/** Retry this model after a delay, report the failure (`error` event), or end quietly for another model to take over. */
export type FailureDecision = { action: 'retry'; delayMs: number } | { action: 'report' } | { action: 'hand_over' };

export interface AgentTurnResult {
  ok: boolean;
  content: string;
  runId: string;
  usage: UsageRecord | null;
  error?: { code: string; message: string };
  /** Set when the turn ended quietly for another model (`decide` said `hand_over`): the last failure. */
  handedOver?: { error: unknown };
  /** Usage of earlier models of the route that failed before this one answered, each priced by its own model. */
  failedUsage?: UsageRecord[];
}

const isRecursionLimit = (error: unknown) => error instanceof Error && error.name === 'GraphRecursionError';

/**
 * Runs the turn, yielding contract events; returns the outcome. Each attempt opens with `run_start` and a
 * new run id; a failed attempt is retried (after `retryDelayMs`) only while nothing of it reached the
 * client and no tool ran. Ends with `done`, or with `error` coded `max_steps_reached`,
 * `model_stream_incomplete` or `llm_error`. Never throws for model failures; a storage fault is rethrown.
 */
export async function* runAgentTurn(input: AgentTurnInput): AsyncGenerator<ChatEvent, AgentTurnResult> {
  const { config } = input;
  const model = resolveToolLoopModel(input.llm.model, input.tools.offered.length > 0, input.llmSettings);
  const usage = createTurnUsage({
    model,
    baseUrl: input.llm.baseUrl,
    agentId: input.agentId,
    sessionId: input.sessionId,
    triggerType: input.triggerType,
    price: input.price ?? createUsagePricer(),
  });
  const sleep = input.sleep ?? ((ms: number) => Bun.sleep(ms));
  const transcript = new TurnTranscript();
  input.continuation?.steps.forEach((step, index) => {
    if (step.role !== 'assistant') return;
    if (step.content) transcript.texts.push(step.content);
    if (step.meta) usage.observe(step.meta, 'restored', index);
  });
  const inFlight = new InFlightCall(input.systemPrompt, input.history, input.message);
  const timeoutMs = (input.llm.timeoutSeconds ?? config.llm_runtime.timeout_seconds) * 1000;
  const decide =
    input.decide ??
    (({ error, attempt, retryable }: AttemptFailure): FailureDecision => {
      const delay = retryDelayMs(error, attempt, timeoutMs);
      return attempt < config.agent_runtime.max_retries && retryable && delay !== null
        ? { action: 'retry', delayMs: delay }
        : { action: 'report' };
    });

  for (let attempt = 0; ; attempt++) {
    const number = (input.attemptsBefore ?? 0) + attempt + 1;
    const runId = number === 1 && input.runId ? input.runId : newId();
    yield { type: 'run_start', data: { run_id: runId, attempt: number } };
    const mapper = new StreamMapper({ runId, transcript, usage, afterToolResults: input.continuation !== undefined });
    input.checkpointer?.attempt(runId);
    const failed = (code: string, message: string): [ChatEvent, AgentTurnResult] => [
      { type: 'error', data: { error: message, run_id: runId, attempt: number, code } },
      { ok: false, content: transcript.text(), runId, usage: usage.record(runId), error: { code, message } },
    ];
    try {
      const { llm, systemPrompt, history, message, tools, signal } = input;
      const stream = await openAgentStream({
        llm,
        model,
        config,
        systemPrompt,
        history,
        message,
        tools,
        runId,
        signal,
        checkpointer: input.checkpointer,
        steps: input.continuation?.steps,
      });
      for await (const raw of stream) {
        const item = toStreamItem(raw);
        if (!item) continue;
        for (const event of mapper.map(item)) {
          inFlight.observe(event);
          yield event;
        }
      }
      const content = mapper.content();
      const record = usage.record(runId);
      yield {
        type: 'done',
        data: {
          content,
          session_id: input.sessionId,
          agent_id: input.agentId,
          run_id: runId,
          token_source: mapper.tokenSource ?? 'fallback',
          usage: record ? { ...record } : {},
        },
      };
      return { ok: true, content, runId, usage: record };
    } catch (error) {
      // Stopped on purpose: no retry; what was streamed and counted so far stays the turn's.
      if (input.signal?.aborted) {
        const cut = inFlight.estimate();
        const estimated = cut && usage.addEstimate(cut, runId, mapper.modelCalls);
        if (estimated) yield estimated;
        const [event, result] = failed('cancelled', 'The run was cancelled.');
        yield event;
        return result;
      }
      if (isRecursionLimit(error)) {
        const [event, result] = failed(
          'max_steps_reached',
          `Stopped after ${config.agent_runtime.max_steps} steps without a final answer (agent_runtime.max_steps).`,
        );
        yield event;
        return result;
      }
      // A full or unwritable data folder is not the model's failure: the chat service reports it as such.
      if (isStorageFault(error)) throw error;
      // A stream that ended early, or was cut for its size, reported no usage: what was sent and received is counted, estimated.
      const incomplete = incompleteStreamOf(error);
      const cutShort = streamEstimateOf(error);
      const estimated = cutShort && usage.addEstimate(cutShort, runId, mapper.modelCalls);
      if (estimated) yield estimated;
      const decision = decide({ error, attempt, retryable: mapper.isRetryable });
      if (decision.action === 'retry') {
        await sleep(decision.delayMs);
        continue;
      }
      if (decision.action === 'hand_over')
        return { ok: false, content: '', runId, usage: usage.record(runId), handedOver: { error } };
      const failure = incomplete ?? error;
      const [event, result] = failed(
        incomplete ? 'model_stream_incomplete' : 'llm_error',
        errorMessageOf(failure) || 'Model call failed',
      );
      yield event;
      return result;
    }
  }
}
