import { describe, expect, it } from 'bun:test';
import { ModelReplyTooLargeError, ModelStreamIncompleteError, streamEstimateOf } from '../model-stream-guard';
import { fromWireError, toWireError } from './wire-error';

const estimate = { input_tokens: 12, output_tokens: 34 };

describe('errors across the model worker boundary', () => {
  it('keep the usage estimate of a stream that ended early or was cut for its size', () => {
    for (const cut of [new ModelStreamIncompleteError(estimate, 3), new ModelReplyTooLargeError(1024, estimate)]) {
      const rebuilt = fromWireError(toWireError(new Error('model call failed', { cause: cut })));
      expect(rebuilt.message).toBe('model call failed');
      expect((rebuilt.cause as Error).message).toBe(cut.message);
      expect(streamEstimateOf(rebuilt)).toEqual(estimate);
    }
  });
});
