// How many run rows a listing returns: the agent's default, or what was asked for within 1..5000.
import type { RuntimeConfig } from '../config';
import { validationError } from '../shared/app-error';

export const MAX_RUNS_LIMIT = 5000;

/**
 * `limit` as asked (NaN when it was not a whole number), or the agent's `scheduler.runs_query_default_limit`
 * when absent. 422 naming `query.limit` (the API's parameter) outside 1..5000.
 */
export function runsLimit(config: Pick<RuntimeConfig, 'scheduler'>, limit: number | undefined): number {
  if (limit === undefined) return Math.min(config.scheduler.runs_query_default_limit, MAX_RUNS_LIMIT);
  if (!(limit >= 1 && limit <= MAX_RUNS_LIMIT)) {
    const code = Number.isNaN(limit) ? 'int_parsing' : limit < 1 ? 'greater_than_equal' : 'less_than_equal';
    throw validationError('query.limit', `Input should be a whole number from 1 to ${MAX_RUNS_LIMIT}`, code);
  }
  return limit;
}
