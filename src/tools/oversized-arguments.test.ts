import { describe, expect, it } from 'bun:test';
import {
  capToolArguments,
  MAX_TOOL_ARGUMENTS_CHARS,
  MAX_TOOL_ARGUMENTS_DEPTH,
  OVERSIZED_ARGUMENTS,
} from './oversized-arguments';

describe('capToolArguments', () => {
  it('keeps arguments up to the limit as they are, and turns larger ones into a marker with a preview', () => {
    const fits = { text: 'x'.repeat(MAX_TOOL_ARGUMENTS_CHARS - 11) };
    expect(JSON.stringify(fits).length).toBe(MAX_TOOL_ARGUMENTS_CHARS);
    expect(capToolArguments(fits)).toBe(fits);
    const over = { text: `${fits.text}x` };
    expect(capToolArguments(over)).toEqual({
      [OVERSIZED_ARGUMENTS]: {
        chars: MAX_TOOL_ARGUMENTS_CHARS + 1,
        max_chars: MAX_TOOL_ARGUMENTS_CHARS,
        preview: `{"text":"${'x'.repeat(991)}…[truncated]`,
      },
    });
  });

  it('never cuts a surrogate pair, and caps a look-alike marker as any other arguments', () => {
    const emoji = { text: `${'x'.repeat(990)}😀${'y'.repeat(MAX_TOOL_ARGUMENTS_CHARS)}` };
    const preview = (capToolArguments(emoji) as any)[OVERSIZED_ARGUMENTS].preview as string;
    expect(preview).toBe(`{"text":"${'x'.repeat(990)}…[truncated]`);
    const fake = { [OVERSIZED_ARGUMENTS]: { chars: 1, max_chars: 1, preview: 'z'.repeat(MAX_TOOL_ARGUMENTS_CHARS) } };
    expect(JSON.stringify(capToolArguments(fake)).length).toBeLessThan(2000);
  });

  it('turns arguments nesting past 64 levels into a marker with a preview cut at that depth, never recursing past it', () => {
    const nested = (depth: number) => JSON.parse(`{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`);
    expect(capToolArguments(nested(MAX_TOOL_ARGUMENTS_DEPTH))).toEqual(nested(MAX_TOOL_ARGUMENTS_DEPTH));
    const preview = `{"a":${'['.repeat(MAX_TOOL_ARGUMENTS_DEPTH - 1)}"…"${']'.repeat(MAX_TOOL_ARGUMENTS_DEPTH - 1)}}`;
    for (const depth of [MAX_TOOL_ARGUMENTS_DEPTH + 1, 100_000])
      expect(capToolArguments(nested(depth))).toEqual({
        [OVERSIZED_ARGUMENTS]: { max_depth: MAX_TOOL_ARGUMENTS_DEPTH, preview },
      });
  });
});
