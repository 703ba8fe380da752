// Turns zod issues into the API's validation items: one {field, message, code} per problem.
import type { z } from 'zod';
import type { ValidationItem } from '../shared/app-error';

const TYPE_CODES: Record<string, string> = {
  boolean: 'bool_type',
  number: 'float_type',
  int: 'int_type',
  string: 'string_type',
  array: 'list_type',
  object: 'dict_type',
};

function issueCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_CODES[issue.expected] ?? 'type_error';
    case 'too_small':
      return issue.origin === 'string'
        ? 'string_too_short'
        : issue.origin === 'array'
          ? 'too_short'
          : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : issue.origin === 'array' ? 'too_long' : 'less_than_equal';
    case 'invalid_value':
      return 'literal_error';
    case 'invalid_format':
      return 'string_pattern_mismatch';
    case 'unrecognized_keys':
      return 'extra_forbidden';
    default:
      return 'value_error';
  }
}

/** One item per issue; unknown keys give one item per key. `prefix` names the enclosing field. */
export function zodIssuesToItems(issues: readonly z.core.$ZodIssue[], prefix: string): ValidationItem[] {
  const items: ValidationItem[] = [];
  const join = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.');
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        items.push({ field: join([...issue.path, key]), message: 'Unknown key', code: 'extra_forbidden' });
      }
      continue;
    }
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message;
    const code = issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : issueCode(issue);
    items.push({ field: join(issue.path), message, code });
  }
  return items;
}
