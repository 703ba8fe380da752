// Public surface of usage: the service, the storage port, budgets, recording, records and their pricing.
export {
  checkQueryRange,
  createUsageService,
  type UsageQuery,
  type UsageService,
  type UsageServiceDeps,
} from './usage.service';
export {
  HOUR_MS,
  type StoredUsageRecord,
  type UsageCounters,
  type UsageFilters,
  type UsagePorts,
  type UsageStore,
} from './usage.port';
export { budgetWarning, checkBudget, projectBudget, type BudgetStatus, type BudgetWarning } from './budget';
export { createUsagePricer, normalizeUsageRecord, recordUsage, type UsagePricer } from './record-usage';
export { UsageAccumulator, zeroCounts, type TokenCounts, type UnpricedUsage, type UsageRecord } from './usage-record';
export { extractCallUsage } from './usage-extraction';
export { usageCsv } from './usage-csv';
export type { Bucket, UsageBucket, UsageSummary } from './usage-report';
