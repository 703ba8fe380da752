// Usage of the auxiliary model calls (titles, compression summaries): recorded like runs, under their own trigger.
import type { AgentHandle } from '../agents';
import { pricingOverrides } from '../llm';
import { newId } from '../shared/ids';
import { checkBudget, extractCallUsage, recordUsage, UsageAccumulator, type UsagePorts } from '../usage';
import type { ResolvedLlm } from './model-factory';

/** The storage auxiliary calls use: the agent's usage ledger. */
export type AuxiliaryPorts = UsagePorts;

export interface AuxiliaryCall {
  llm: ResolvedLlm;
  model: string;
  trigger: 'title' | 'compress';
  sessionId: string;
  /** The model's reply message, or null when the call failed. */
  reply: unknown;
  nowMs: number;
}

/** Records the usage of one auxiliary call (nothing when the reply carries no token counts). */
export async function recordAuxiliaryUsage(agent: AgentHandle<AuxiliaryPorts>, call: AuxiliaryCall): Promise<void> {
  const usage = extractCallUsage(call.reply, call.model, call.llm.baseUrl);
  if (!usage) return;
  const totals = new UsageAccumulator(call.model, call.llm.baseUrl);
  totals.add('reply', usage);
  await recordUsage(
    agent.storage.usage,
    {
      schema_version: 2,
      agent_id: agent.id,
      ...totals.identity,
      trigger_type: call.trigger,
      run_id: newId(),
      session_id: call.sessionId,
      ...totals.totals,
    },
    { pricingOverrides: pricingOverrides(agent.config()), nowMs: call.nowMs },
  );
}

/** False when the agent's budget blocks model calls: auxiliary calls then use their fallbacks instead. */
export async function isModelCallAllowed(agent: AgentHandle<AuxiliaryPorts>, nowMs: number): Promise<boolean> {
  return (await checkBudget(agent.storage.usage, agent.config(), nowMs)).state !== 'block';
}
