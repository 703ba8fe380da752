// TOOL_LOOP_MODEL_OVERRIDES: a JSON object {"from":"to"} or the older from=to,from2=to2; models matched lower-cased.

/** What the variable must be, for the message that refuses it. */
export const MODEL_OVERRIDES_FORM =
  'must be a JSON object of model names ({"from":"to"}) or from=to pairs separated by commas (from=to,from2=to2)';

export interface ModelOverrides {
  /** Replacement model by model name, lower-cased; the last of repeated names wins. */
  overrides: Map<string, string>;
  /** What could not be read: items without `=` or a side, JSON entries whose value is no model name, or the whole
   * text when it starts like JSON but is no JSON object. Empty when everything was read. */
  bad: string[];
}

/** Reads the variable's value; blank items (a trailing comma) are skipped. */
export function readModelOverrides(raw: string): ModelOverrides {
  const overrides = new Map<string, string>();
  const bad: string[] = [];
  const text = raw.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Meant as JSON (the older form never starts so) but not JSON: reported whole, as it is.
      return { overrides, bad: [text] };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { overrides, bad: [text] };
    for (const [key, value] of Object.entries(parsed)) {
      const from = key.trim().toLowerCase();
      const to = typeof value === 'string' ? value.trim() : '';
      if (from && to) overrides.set(from, to);
      else bad.push(`${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    }
    return { overrides, bad };
  }
  for (const item of text.split(',')) {
    if (!item.trim()) continue;
    const equals = item.indexOf('=');
    const from = equals < 0 ? '' : item.slice(0, equals).trim().toLowerCase();
    const to = equals < 0 ? '' : item.slice(equals + 1).trim();
    if (from && to) overrides.set(from, to);
    else bad.push(item.trim());
  }
  return { overrides, bad };
}
