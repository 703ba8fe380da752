import { describe, expect, it } from 'bun:test';
import { classifyFailure } from './failure-class';
import { ModelStreamIncompleteError } from './model-stream-guard';

const withStatus = (status: number) => Object.assign(new Error(`status ${status}`), { status });
class APIConnectionError extends Error {}
class APIConnectionTimeoutError extends Error {}

describe('classifyFailure', () => {
  it('sorts HTTP statuses into their classes', () => {
    expect(
      [408, 429, 401, 403, 500, 502, 503, 400, 404, 422].map((status) => classifyFailure(withStatus(status))),
    ).toEqual([
      'timeout',
      'rate_limit',
      'auth_error',
      'auth_error',
      'server_error',
      'server_error',
      'server_error',
      'other',
      'other',
      'other',
    ]);
  });

  it('follows the cause chain LangChain and LangGraph wrap around the provider error', () => {
    const wrapped = new Error('middleware failed', { cause: new Error('model failed', { cause: withStatus(429) }) });
    expect(classifyFailure(wrapped)).toBe('rate_limit');
  });

  it('knows timeouts, connection failures and streams that broke', () => {
    expect(classifyFailure(Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' }))).toBe('timeout');
    expect(classifyFailure(new APIConnectionTimeoutError('x'))).toBe('timeout');
    expect(classifyFailure(new APIConnectionError('Connection error.'))).toBe('network_error');
    expect(classifyFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('network_error');
    expect(classifyFailure(new ModelStreamIncompleteError({ input_tokens: 1, output_tokens: 0 }, 0))).toBe(
      'network_error',
    );
  });

  it('says aborted when the caller stopped the call, whatever the error', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyFailure(withStatus(500), controller.signal)).toBe('aborted');
    expect(classifyFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('aborted');
  });

  it('leaves anything else as other (never a fallback)', () => {
    expect(classifyFailure(new TypeError('x is not a function'))).toBe('other');
    expect(classifyFailure('a string')).toBe('other');
  });
});
