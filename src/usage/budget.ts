// Spend caps per agent (`usage.budget`): daily and monthly windows in the agent's time zone, warn or block.
import type { RuntimeConfig } from '../config';
import { roundUsd } from './price-usage';
import type { UsageStore } from './usage.port';
import { dayWindow, monthWindow } from './zoned-calendar';

/** Share of a cap from which runs carry a warning. */
export const WARN_RATIO = 0.8;

export type BudgetWindowName = 'daily' | 'monthly';

export interface BudgetWindow {
  window: BudgetWindowName;
  cap_usd: number;
  /** Priced spend since the window started. */
  spend_usd: number;
  /** Runs in the window whose cost is unknown (no price): not free, just not in `spend_usd`. */
  unpriced_runs: number;
  starts_at_ms: number;
  resets_at_ms: number;
  resets_at: string;
  state: 'ok' | 'warn' | 'over';
}

export interface BudgetStatus {
  /** `block`: a cap is reached and the action is block; `warn`: at least 80 % of a cap (or over it with action warn). */
  state: 'ok' | 'warn' | 'block';
  action: 'warn' | 'block';
  timezone: string;
  /** The window that decides the state (the one reached, else the fullest); null when no cap is set. */
  deciding: BudgetWindow | null;
  windows: BudgetWindow[];
  /** A sentence for people: which cap, how much spent, when it resets, and the runs of unknown cost. */
  message: string;
}

const usd = (value: number) => `$${value.toFixed(value >= 1 || value === 0 ? 2 : 6)}`;

function windowState(spend: number, cap: number): BudgetWindow['state'] {
  if (spend >= cap) return 'over';
  return spend >= cap * WARN_RATIO ? 'warn' : 'ok';
}

/** The status after adding `extraUsd` (and `extraUnpriced` runs) to every window: for a run in progress. */
export function projectBudget(status: BudgetStatus, extraUsd: number, extraUnpriced = 0): BudgetStatus {
  const windows = status.windows.map((window) => {
    const spend = roundUsd(window.spend_usd + extraUsd);
    return {
      ...window,
      spend_usd: spend,
      unpriced_runs: window.unpriced_runs + extraUnpriced,
      state: windowState(spend, window.cap_usd),
    };
  });
  return summarise(status.action, status.timezone, windows);
}

function summarise(action: 'warn' | 'block', timezone: string, windows: BudgetWindow[]): BudgetStatus {
  const over = windows.filter((window) => window.state === 'over').sort((a, b) => b.resets_at_ms - a.resets_at_ms);
  const fullest = [...windows].sort((a, b) => b.spend_usd / (b.cap_usd || 1) - a.spend_usd / (a.cap_usd || 1));
  const deciding = over[0] ?? fullest[0] ?? null;
  const state =
    over.length > 0
      ? action === 'block'
        ? 'block'
        : 'warn'
      : windows.some((window) => window.state === 'warn')
        ? 'warn'
        : 'ok';
  let message = 'No budget cap is set.';
  if (deciding) {
    const verb = deciding.state === 'over' ? 'reached' : deciding.state === 'warn' ? 'nearly reached' : 'not reached';
    const unknown =
      deciding.unpriced_runs > 0
        ? `, plus ${deciding.unpriced_runs} run(s) of unknown cost (no price) not counted`
        : '';
    message = `The ${deciding.window} budget of ${usd(deciding.cap_usd)} is ${verb}: ${usd(deciding.spend_usd)} spent${unknown}; it resets at ${deciding.resets_at}.`;
  }
  return { state, action, timezone, deciding, windows, message };
}

/**
 * The agent's budget state at `nowMs` from its recorded spend (priced runs; unpriced runs are counted
 * apart as unknown). Pure apart from reading `store`; used before chat runs and by the scheduler, which
 * records a `skipped_budget` run instead of calling the model when the state is `block`.
 */
export async function checkBudget(
  store: Pick<UsageStore, 'byProviderModel'>,
  config: Pick<RuntimeConfig, 'usage'>,
  nowMs: number,
): Promise<BudgetStatus> {
  const { daily_usd, monthly_usd, action, timezone } = config.usage.budget;
  const windows: BudgetWindow[] = [];
  for (const [name, cap, bounds] of [
    ['daily', daily_usd, () => dayWindow(timezone, nowMs)],
    ['monthly', monthly_usd, () => monthWindow(timezone, nowMs)],
  ] as const) {
    if (cap === null) continue;
    const { start, end } = bounds();
    const rows = await store.byProviderModel({ sinceMs: start });
    const spend = roundUsd(rows.reduce((sum, row) => sum + row.cost_usd, 0));
    const unpriced = rows.reduce((sum, row) => sum + row.unpriced_runs, 0);
    windows.push({
      window: name,
      cap_usd: cap,
      spend_usd: spend,
      unpriced_runs: unpriced,
      starts_at_ms: start,
      resets_at_ms: end,
      resets_at: new Date(end).toISOString(),
      state: windowState(spend, cap),
    });
  }
  return summarise(action, timezone, windows);
}

/** What a `usage` event or a 429 tells the client about the deciding window. */
export interface BudgetWarning {
  state: 'warn' | 'over';
  action: 'warn' | 'block';
  window: BudgetWindowName;
  cap_usd: number;
  spend_usd: number;
  /** Share of the cap spent (priced runs only). */
  ratio: number;
  unpriced_runs: number;
  resets_at: string;
  resets_at_ms: number;
  timezone: string;
  message: string;
}

/** The warning for a status, or null when every window is below 80 %. */
export function budgetWarning(status: BudgetStatus): BudgetWarning | null {
  const window = status.deciding;
  if (!window || window.state === 'ok') return null;
  return {
    state: window.state,
    action: status.action,
    window: window.window,
    cap_usd: window.cap_usd,
    spend_usd: window.spend_usd,
    ratio: window.cap_usd > 0 ? Math.round((window.spend_usd / window.cap_usd) * 10_000) / 10_000 : 1,
    unpriced_runs: window.unpriced_runs,
    resets_at: window.resets_at,
    resets_at_ms: window.resets_at_ms,
    timezone: status.timezone,
    message: status.message,
  };
}
