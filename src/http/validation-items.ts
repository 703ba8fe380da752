// Maps Elysia (TypeBox) validation failures to the API's `details.items` list.

export interface ValidationItem {
  field: string;
  message: string;
  code: string;
}

// TypeBox ValueErrorType numbers -> the stable codes clients see.
const CODES: Record<number, string> = {
  2: 'too_long',
  4: 'too_short',
  6: 'list_type',
  14: 'bool_type',
  24: 'less_than_equal',
  25: 'greater_than_equal',
  27: 'int_type',
  32: 'literal_error',
  38: 'less_than_equal',
  39: 'greater_than_equal',
  41: 'float_type',
  42: 'extra_forbidden',
  45: 'missing',
  46: 'dict_type',
  51: 'string_too_long',
  52: 'string_too_short',
  53: 'string_pattern_mismatch',
  54: 'string_type',
  62: 'literal_error',
};

const LOCATION_PREFIX: Record<string, string> = { body: '', query: 'query.', params: 'path.', headers: 'header.' };

interface TypeBoxError {
  path: string;
  message: string;
  type: number;
  value?: unknown;
}

/** One item per violation; body fields bare, query and path parameters prefixed. */
export function toValidationItems(location: string, errors: readonly TypeBoxError[]): ValidationItem[] {
  const prefix = LOCATION_PREFIX[location] ?? `${location}.`;
  const seen = new Set<string>();
  const items: ValidationItem[] = [];
  for (const error of errors) {
    const path = error.path.replace(/^\//, '').split('/').filter(Boolean).join('.');
    const field = path ? `${prefix}${path}` : prefix.replace(/\.$/, '');
    const missing = error.value === undefined && error.type !== 42;
    const code = missing ? 'missing' : (CODES[error.type] ?? 'value_error');
    const key = `${field}|${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ field, message: missing ? 'Field required' : error.message, code });
  }
  return items;
}
