import { describe, expect, it } from 'bun:test';
import { validationError, validationErrors } from './app-error';

describe('validationError', () => {
  it('is a 422 whose message names the field and the problem, and whose items say the same', () => {
    const error = validationError('schedule', 'A cron expression has 5 fields (or 6 with seconds first)');
    expect({ code: error.code, status: error.status, message: error.message, details: error.details }).toEqual({
      code: 'validation_error',
      status: 422,
      message: 'schedule: a cron expression has 5 fields (or 6 with seconds first)',
      details: {
        items: [
          {
            field: 'schedule',
            message: 'A cron expression has 5 fields (or 6 with seconds first)',
            code: 'value_error',
          },
        ],
      },
    });
  });

  it('calls the whole body "body", keeps acronyms, and counts the further problems', () => {
    expect(validationError('', 'JSON nests deeper than 64 levels', 'too_deep').message).toBe(
      'body: JSON nests deeper than 64 levels',
    );
    expect(validationError('query.timezone', 'IANA zone unknown').message).toBe('query.timezone: IANA zone unknown');
    const several = validationErrors([
      { field: 'path', message: 'Field required', code: 'missing' },
      { field: 'content', message: 'Field required', code: 'missing' },
      { field: 'agent_id', message: 'Expected string', code: 'string_type' },
    ]);
    expect(several.message).toBe('path: field required (and 2 more)');
    expect(validationErrors([]).message).toBe('Request validation failed');
  });
});
