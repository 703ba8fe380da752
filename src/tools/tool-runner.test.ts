import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createToolHarness } from '../../test/support/tool-harness';
import type { ToolDefinition } from './tool-definition';
import { capToolArguments, MAX_TOOL_ARGUMENTS_CHARS } from './oversized-arguments';
import { argumentsAccepted } from './tool-arguments';
import { failure, success } from './tool-result';

let calls = 0;
const flaky: ToolDefinition<{ command: string; api_key?: string }> = {
  name: 'flaky',
  description: 'Fails unless the command is ok.',
  level: 0,
  schema: z.object({ command: z.string(), api_key: z.string().optional() }),
  run: async ({ command }) => {
    calls++;
    return command === 'ok' ? success({ ran: command }) : failure('E_EXEC', `bad command ${command}`);
  },
};
const thrower: ToolDefinition<Record<string, never>> = {
  name: 'thrower',
  description: 'Throws.',
  level: 0,
  schema: z.object({}),
  run: async () => {
    throw new Error('boom with sk-abcdefghijklmnop');
  },
};
const writer: ToolDefinition<Record<string, never>> = {
  name: 'writer',
  description: 'L1.',
  level: 1,
  schema: z.object({}),
  run: async () => success({ wrote: true }),
};

describe('tool runner', () => {
  it('blocks the third identical failing call, even when only whitespace differs, and lets other arguments run', async () => {
    using harness = createToolHarness({ definitions: [flaky] });
    calls = 0;
    expect((await harness.call('flaky', { command: 'rm x' })).error!.code).toBe('E_EXEC');
    expect((await harness.call('flaky', { command: '  rm   x ' })).error!.code).toBe('E_EXEC');
    const blocked = await harness.call('flaky', { command: 'rm\tx' });
    expect(blocked.error).toEqual(expect.objectContaining({ code: 'E_POLICY_DENIED', retryable: false }));
    expect(blocked.error!.message).toMatch(/retry blocked/i);
    expect(calls).toBe(2);
    expect((await harness.call('flaky', { command: 'rm y' })).error!.code).toBe('E_EXEC');
    expect((await harness.call('flaky', { command: 'rm x' }, { runId: 'run-2' })).error!.code).toBe('E_EXEC');
    expect(calls).toBe(4);
  });

  it('counts identical calls made in parallel: those past the limit wait for the others and are refused unrun', async () => {
    const release = Promise.withResolvers<void>();
    const twoStarted = Promise.withResolvers<void>();
    let started = 0;
    const held: ToolDefinition<{ ok: boolean }> = {
      name: 'held',
      description: 'Fails or succeeds once released.',
      level: 0,
      schema: z.object({ ok: z.boolean() }),
      run: async ({ ok }) => {
        if (++started === 2) twoStarted.resolve();
        await release.promise;
        return ok ? success({ ran: true }) : failure('E_EXEC', 'failed');
      },
    };
    using harness = createToolHarness({ definitions: [held] });
    // Five identical failing calls of one step (limit 2): two run, three are refused without running.
    const failing = Array.from({ length: 5 }, () => harness.call('held', { ok: false }, { runId: 'step' }));
    await twoStarted.promise;
    release.resolve();
    const codes = (await Promise.all(failing)).map((result) => result.error!.code);
    expect(codes.sort()).toEqual(['E_EXEC', 'E_EXEC', 'E_POLICY_DENIED', 'E_POLICY_DENIED', 'E_POLICY_DENIED']);
    expect(started).toBe(2);
    // Each of the two failures counted: the next identical call is refused too.
    expect((await harness.call('held', { ok: false }, { runId: 'step' })).error!.code).toBe('E_POLICY_DENIED');
    // Identical calls that succeed are not refused: those that waited run once the first ones succeeded.
    started = 0;
    const passing = await Promise.all(
      Array.from({ length: 4 }, () => harness.call('held', { ok: true }, { runId: 'other' })),
    );
    expect(passing.map((result) => result.ok)).toEqual([true, true, true, true]);
    expect(started).toBe(4);
  });

  it('does not run a call that waited for identical ones once its run is cancelled, nor hold it for them', async () => {
    const twoStarted = Promise.withResolvers<void>();
    const never = Promise.withResolvers<void>();
    let started = 0;
    // A tool that ignores the run's signal and never ends (a stuck process, say).
    const stuck: ToolDefinition<{ x: string }> = {
      name: 'stuck',
      description: 'Never ends.',
      level: 0,
      schema: z.object({ x: z.string() }),
      run: async () => {
        if (++started === 2) twoStarted.resolve();
        await never.promise;
        return success({});
      },
    };
    using harness = createToolHarness({ definitions: [stuck] });
    const run = new AbortController();
    const tools = harness.forRun();
    // Three identical calls of one step (limit 2): the third waits for the two under way.
    const calls = [1, 2, 3].map(() =>
      tools.execute({ name: 'stuck', args: { x: 'same' }, runId: 'cancelled', signal: run.signal }),
    );
    await twoStarted.promise;
    run.abort();
    const third = JSON.parse(await calls[2]!);
    expect(third.error).toEqual({
      code: 'E_POLICY_DENIED',
      message: 'The call was not run: its run was cancelled while it waited for identical calls under way',
      retryable: false,
      details: { rule: 'retry_guard', cancelled: true },
    });
    expect(started).toBe(2);
    const audit = await harness.audit.list({ runId: 'cancelled' });
    expect(audit.map((row) => row.outcome)).toEqual(['denied']);
    never.resolve();
    await Promise.all(calls);
  });

  it('refuses a look-alike marker or unparsed text whose fields are not text or numbers, instead of throwing', async () => {
    using harness = createToolHarness({ definitions: [flaky] });
    calls = 0;
    // Objects with a `toString` that is not a function: a template literal or String() of them throws a TypeError.
    const forgedArgs = { __oversized_arguments__: { chars: { toString: 0 }, max_chars: [] } };
    const chars = JSON.stringify(forgedArgs).length;
    const forged = await harness.call('flaky', forgedArgs);
    expect(forged.error).toEqual({
      code: 'E_INVALID_ARGS',
      message: `Invalid arguments for flaky: ${chars} characters of JSON, over the limit of ${MAX_TOOL_ARGUMENTS_CHARS}; the call was not run. Send smaller arguments (split the work into several calls)`,
      retryable: false,
      details: { chars, max_chars: MAX_TOOL_ARGUMENTS_CHARS },
    });
    const unparsed = await harness.call('flaky', { __unparsed_arguments__: { toString: 0 } });
    expect(unparsed.error).toEqual({
      code: 'E_INVALID_ARGS',
      message: 'Invalid arguments for flaky: they are not valid JSON; send one JSON object',
      retryable: false,
      details: { received: '{"toString":0}' },
    });
    expect(calls).toBe(0);
    const audit = await harness.audit.list({});
    expect(audit.map((row) => row.outcome)).toEqual(['error', 'error']);
  });

  it('tells which arguments the runner would take, as the approval gate asks before putting a call to a person', () => {
    const big = { command: 'x'.repeat(MAX_TOOL_ARGUMENTS_CHARS) };
    const unparsed = { __unparsed_arguments__: '{command: ok' };
    const refused = [big, capToolArguments(big), unparsed, { command: 1 }, { command: 'ok', cwd: '/' }, ['ok'], 'ok'];
    expect(refused.map((args) => argumentsAccepted(flaky, args))).toEqual(refused.map(() => false));
    expect([{ command: 'ok' }, { command: 'ok', api_key: 'k' }].map((args) => argumentsAccepted(flaky, args))).toEqual([
      true,
      true,
    ]);
  });

  it('keeps a digest of failed calls, not their arguments (500 failed 1 MB calls kept 513 MB)', async () => {
    using harness = createToolHarness({ definitions: [flaky] });
    // Just under MAX_TOOL_ARGUMENTS_CHARS (larger arguments are refused as a small marker): 64 MB if kept.
    const big = 'x'.repeat(MAX_TOOL_ARGUMENTS_CHARS - 20);
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    for (let index = 0; index < 256; index++) await harness.call('flaky', { command: `${index}${big}` });
    Bun.gc(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
    expect((await harness.call('flaky', { command: `7${big}` })).error!.code).toBe('E_EXEC');
    expect((await harness.call('flaky', { command: `7${big}` })).error!.code).toBe('E_POLICY_DENIED');
  }, 15_000);

  it('honours repeat_identical_failure_limit and forgets failures after a success', async () => {
    using harness = createToolHarness({
      definitions: [flaky],
      config: { tool_retry_guard: { repeat_identical_failure_limit: 1 } },
    });
    await harness.call('flaky', { command: 'nope' });
    expect((await harness.call('flaky', { command: 'nope' })).error!.code).toBe('E_POLICY_DENIED');
    expect((await harness.call('flaky', { command: 'ok' })).ok).toBe(true);
  });

  it('audits every call in the database and in storage/tool_audit.jsonl with secrets redacted', async () => {
    using harness = createToolHarness({ definitions: [flaky, writer] });
    const result = await harness.call('flaky', { command: 'ok', api_key: 'abcdef123456' }, { runId: 'run-a' });
    expect(result).toEqual({
      ok: true,
      data: { ran: 'ok' },
      meta: { tool_name: 'flaky', duration_ms: expect.any(Number), truncated: false, warnings: [] },
      error: null,
    });
    await harness.call(
      'flaky',
      { command: 'curl -H "Authorization: Bearer abcdefghijklmnopqrstuvwx"' },
      { runId: 'run-a' },
    );
    await harness.call('writer', {}, { runId: 'run-a', trigger: 'cron' });
    const rows = await harness.audit.list({ runId: 'run-a' });
    expect(rows.map((row) => [row.toolName, row.outcome, row.errorCode, row.triggerType, row.sessionId])).toEqual([
      ['flaky', 'ok', null, 'chat', 'session-1'],
      ['flaky', 'error', 'E_EXEC', 'chat', 'session-1'],
      ['writer', 'denied', 'E_POLICY_DENIED', 'cron', 'session-1'],
    ]);
    expect(rows[0]!.arguments).toEqual({ command: 'ok', api_key: '[REDACTED]' });
    expect(JSON.stringify(rows[1]!.arguments)).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(rows[2]!.reason).toBe("Tool 'writer' is not in autonomous_tools.cron_enabled_tools");
    const lines = readFileSync(join(harness.root, 'storage', 'tool_audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.tool, line.outcome, line.run_id])).toEqual([
      ['flaky', 'ok', 'run-a'],
      ['flaky', 'error', 'run-a'],
      ['writer', 'denied', 'run-a'],
    ]);
    expect(lines[0].args.api_key).toBe('[REDACTED]');
    expect(lines[0].duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('answers a withheld tool with E_POLICY_DENIED, an unknown one with E_NOT_FOUND, bad arguments with E_INVALID_ARGS', async () => {
    using harness = createToolHarness({ definitions: [flaky, writer, thrower] });
    expect(harness.forRun('cron').offered.map((tool) => tool.name)).toEqual([]);
    expect((await harness.call('writer', {}, { trigger: 'cron' })).error!.code).toBe('E_POLICY_DENIED');
    expect((await harness.call('nope', {})).error).toEqual(expect.objectContaining({ code: 'E_NOT_FOUND' }));
    const invalid = await harness.call('flaky', { command: 42 });
    expect(invalid.error).toEqual(
      expect.objectContaining({
        code: 'E_INVALID_ARGS',
        details: { issues: [{ path: 'command', message: expect.any(String) }] },
      }),
    );
    const thrown = await harness.call('thrower', {});
    expect(thrown).toEqual(
      expect.objectContaining({ ok: false, data: {}, error: expect.objectContaining({ code: 'E_INTERNAL' }) }),
    );
    expect(JSON.stringify(thrown)).not.toContain('abcdefghijklmnop');
    expect((await harness.audit.list()).map((row) => row.outcome)).toEqual(['denied', 'error', 'error', 'error']);
  });
});
