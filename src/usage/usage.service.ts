// UsageService: the ledger at the edge (records, summary, time series) over each agent's UsageStore.
import type { AgentDirectory } from '../agents';
import { isKnownTimeZone } from '../config';
import { validationError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { HOUR_MS, type StoredUsageRecord, type UsageFilters, type UsagePorts } from './usage.port';
import { summarizeUsage, usageTimeseries, type Bucket, type UsageBucket, type UsageSummary } from './usage-report';

/** What a caller asks of the ledger: the last `sinceHours` hours (1..8760), optionally one provider, model, trigger or session. */
export interface UsageQuery {
  sinceHours: number;
  provider?: string;
  model?: string;
  triggerType?: string;
  sessionId?: string;
}

export interface UsageService {
  /** Newest first, at most `limit`. 404 for an unknown agent. */
  records(
    agentId: string | undefined,
    query: UsageQuery,
    limit: number,
  ): Promise<{ agentId: string; records: StoredUsageRecord[] }>;
  /** Totals and groups over every matching record. */
  summary(agentId: string | undefined, query: UsageQuery): Promise<{ agentId: string; summary: UsageSummary }>;
  /** Buckets of an hour or a local day in `timezone` (the agent's `usage.budget.timezone` when absent; 422 for an unknown zone). */
  timeseries(
    agentId: string | undefined,
    query: UsageQuery,
    bucket: Bucket,
    timezone?: string,
  ): Promise<{ agentId: string; timezone: string; buckets: UsageBucket[] }>;
}

export interface UsageServiceDeps {
  agents: AgentDirectory<UsagePorts>;
  clock: Clock;
}

/** 422 naming `query.<name>` (the API's parameter) when `value` is outside `min..max`. */
export function checkQueryRange(name: string, value: number, min: number, max: number): void {
  if (value >= min && value <= max) return;
  throw validationError(
    `query.${name}`,
    `Input should be between ${min} and ${max}`,
    value < min ? 'greater_than_equal' : 'less_than_equal',
  );
}

/** The query's filters at `nowMs`; 422 naming `query.since_hours` outside 1..8760. */
function filtersOf(query: UsageQuery, nowMs: number): UsageFilters {
  checkQueryRange('since_hours', query.sinceHours, 1, 8760);
  return {
    sinceMs: nowMs - query.sinceHours * HOUR_MS,
    provider: query.provider,
    model: query.model,
    triggerType: query.triggerType,
    sessionId: query.sessionId,
  };
}

export function createUsageService({ agents, clock }: UsageServiceDeps): UsageService {
  return {
    async records(agentId, query, limit) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, records: await agent.storage.usage.records(filtersOf(query, clock.nowMs()), limit) };
    },
    async summary(agentId, query) {
      const agent = agents.get(agentId);
      return { agentId: agent.id, summary: await summarizeUsage(agent.storage.usage, filtersOf(query, clock.nowMs())) };
    },
    async timeseries(agentId, query, bucket, timezone) {
      const agent = agents.get(agentId);
      if (timezone !== undefined && !isKnownTimeZone(timezone))
        throw validationError('query.timezone', 'Unknown IANA time zone');
      const zone = timezone ?? agent.config().usage.budget.timezone;
      const nowMs = clock.nowMs();
      return {
        agentId: agent.id,
        timezone: zone,
        buckets: await usageTimeseries(agent.storage.usage, filtersOf(query, nowMs), bucket, zone, nowMs),
      };
    },
  };
}
