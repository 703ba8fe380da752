// A turn's token usage: running totals over its model calls, priced into `usage` events and the run's record.
import type { TriggerType } from '../tools';
import { extractCallUsage, UsageAccumulator, type TokenCounts, type UsagePricer, type UsageRecord } from '../usage';
import type { ChatEvent } from './chat-events';

export interface TurnUsageOptions {
  /** The model the turn calls (after the tool-loop override). */
  model: string;
  baseUrl: string;
  agentId: string;
  sessionId: string;
  triggerType: TriggerType;
  price: UsagePricer;
}

export interface TurnUsage {
  /**
   * Folds in the usage a model message reports for call number `callIndex` of run `runId`: the same call
   * seen again (in the other stream mode) only adds what grew. Returns the `usage` event of the new
   * totals, or null when they did not change.
   */
  observe(message: unknown, runId: string, callIndex: number): ChatEvent | null;
  /** Folds in the server's estimate for a call whose stream ended early (the totals become `estimated`); as `observe`. */
  addEstimate(counts: Partial<TokenCounts>, runId: string, callIndex: number): ChatEvent | null;
  /** The priced usage record of the turn so far, filed under `runId`; null while no tokens were counted. */
  record(runId: string): UsageRecord | null;
}

/** Usage totals for one turn, across all its attempts (contract §3.7: usage carries over). */
export function createTurnUsage(options: TurnUsageOptions): TurnUsage {
  const usage = new UsageAccumulator(options.model, options.baseUrl);
  const record = (runId: string): UsageRecord | null =>
    usage.totals.total_tokens > 0
      ? options.price({
          schema_version: 2,
          agent_id: options.agentId,
          ...usage.identity,
          trigger_type: options.triggerType,
          run_id: runId,
          session_id: options.sessionId,
          ...usage.totals,
          estimated: usage.estimated,
        })
      : null;
  /** Only called once the totals changed, so there are tokens and a record. */
  const usageEvent = (runId: string): ChatEvent => {
    const { schema_version: _version, trigger_type: _trigger, session_id: _session, ...data } = record(runId)!;
    return { type: 'usage', data };
  };
  return {
    observe(message, runId, callIndex) {
      const call = extractCallUsage(message, options.model, options.baseUrl);
      return call && usage.add(`${runId}:${callIndex}`, call) ? usageEvent(runId) : null;
    },
    addEstimate(counts, runId, callIndex) {
      return usage.addEstimate(`${runId}:${callIndex}`, counts) ? usageEvent(runId) : null;
    },
    record,
  };
}
