// Maps Elysia (TypeBox) validation failures to the API's `details.items` list.
import type { ValidationItem } from '../shared/app-error';

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
  /** For a union: the errors of each alternative. */
  errors?: Iterable<TypeBoxError>[];
}

const UNION = 62;
const STRING_FORMAT = 50;
/** Elysia's query coercion checks a number or boolean as a string of a format first. */
const FORMAT_MEANING: Record<string, { type: number; message: string }> = {
  integer: { type: 27, message: 'Expected an integer' },
  numeric: { type: 41, message: 'Expected a number' },
  boolean: { type: 14, message: 'Expected true or false' },
};
const LITERAL = 32;
const BOOLEAN = 14;
/** Errors that only say "wrong type"; a bound or pattern says more. */
const TYPE_ONLY = new Set([6, 14, 27, 35, 41, 46, 54, UNION]);

/**
 * A union's own message ("Expected union value") helps nobody. Elysia wraps numbers and booleans in
 * unions (to accept them as query strings), so look inside: the alternatives' literals become one
 * list, and otherwise the most specific nested error (a bound, a length, a pattern) speaks. Failing that, an
 * alternative that failed deeper in (a field of an optional object) says where, and alternatives that only name
 * types are named together (`Expected string or null`).
 */
function explainUnion(error: TypeBoxError): Pick<TypeBoxError, 'message' | 'type' | 'path'> {
  const nested = (error.errors ?? []).map((alternative) => [...alternative]);
  const literals = nested.filter(
    (alternative) => alternative.length > 0 && alternative.every((item) => item.type === LITERAL),
  );
  // Literal choices, possibly next to a plain boolean (query flags accept true/false/1/0/yes/no/on/off).
  if (
    literals.length > 0 &&
    nested.every(
      (alternative) =>
        literals.includes(alternative) || alternative.every((item) => item.type === BOOLEAN || item.type === UNION),
    )
  ) {
    const options = literals.flatMap((alternative) =>
      alternative.map((item) => item.message.replace(/^Expected /, '')),
    );
    return { type: LITERAL, message: `Expected one of: ${options.join(', ')}`, path: error.path };
  }
  let deeper: Pick<TypeBoxError, 'message' | 'type' | 'path'> | undefined;
  const types: Pick<TypeBoxError, 'message' | 'type'>[] = [];
  for (const alternative of nested) {
    for (const item of alternative) {
      const format = item.type === STRING_FORMAT ? /'(\w+)' format/.exec(item.message)?.[1] : undefined;
      if (format && FORMAT_MEANING[format]) return { ...FORMAT_MEANING[format], path: error.path };
      const specific = item.type === UNION ? explainUnion(item) : item;
      if (!TYPE_ONLY.has(specific.type)) return specific;
      if (specific.path.length > error.path.length) deeper ??= specific;
      else if (specific.type !== UNION) types.push(specific);
    }
  }
  if (deeper) return deeper;
  if (types.length < 2) return error;
  const names = types.map((item) => item.message.replace(/^Expected /, ''));
  return { type: types[0]!.type, message: `Expected ${names.join(' or ')}`, path: error.path };
}

/**
 * Elysia checks a coerced query number on its own (location `property`, no path); the parameter
 * it belongs to is the one whose raw value is the rejected one.
 */
function coercedQueryField(error: TypeBoxError, query: URLSearchParams | undefined): string | null {
  if (!query || error.value === undefined) return null;
  const matches = [
    ...new Set([...query.entries()].filter(([, value]) => value === String(error.value)).map(([key]) => key)),
  ];
  return matches.length === 1 ? `query.${matches[0]}` : null;
}

/** One item per violation; body fields bare, query and path parameters prefixed. */
export function toValidationItems(
  location: string,
  errors: readonly TypeBoxError[],
  query?: URLSearchParams,
): ValidationItem[] {
  const prefix = LOCATION_PREFIX[location] ?? `${location}.`;
  const seen = new Set<string>();
  const items: ValidationItem[] = [];
  for (const raw of errors) {
    const error = raw.type === UNION ? { ...raw, ...explainUnion(raw) } : raw;
    const path = error.path.replace(/^\//, '').split('/').filter(Boolean).join('.');
    const field =
      (location === 'property' && coercedQueryField(error, query)) ||
      (path ? `${prefix}${path}` : prefix.replace(/\.$/, ''));
    const missing = error.value === undefined && error.type !== 42;
    const code = missing ? 'missing' : (CODES[error.type] ?? 'value_error');
    const key = `${field}|${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ field, message: missing ? 'Field required' : error.message, code });
  }
  return items;
}
