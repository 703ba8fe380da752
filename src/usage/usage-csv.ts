// Usage records as CSV (RFC 4180) for spreadsheets: one header row, one row per record.
import { TOKEN_FIELDS } from './usage-record';
import type { StoredUsageRecord } from './usage.port';

export const CSV_COLUMNS = [
  'timestamp',
  'timestamp_ms',
  'agent_id',
  'provider',
  'model',
  'trigger_type',
  'run_id',
  'session_id',
  'model_source',
  'usage_source',
  ...TOKEN_FIELDS,
  'priced',
  'cost_usd',
  'unpriced_reason',
  'estimated',
] as const;

/**
 * One CSV field: quoted when it holds a comma, quote or line break; text that a spreadsheet would run
 * as a formula (leading = + - @ tab or CR) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The records as CSV text with CRLF line ends; an empty list gives the header row only. */
export function usageCsv(records: readonly StoredUsageRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const record of records) {
    const row: Record<string, unknown> = {
      ...record,
      timestamp: new Date(record.timestamp_ms).toISOString(),
      unpriced_reason: record.pricing.unpriced_reason ?? '',
    };
    lines.push(CSV_COLUMNS.map((column) => csvField(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
