import { describe, expect, it } from 'bun:test';
import type { AgentSessions, LiveResponse } from '../sessions';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/logger';
import { LIVE_OUTPUT_CHARS, LIVE_TOOL_CALLS, TurnRecorder } from './turn-recorder';

/** Sessions that keep the live snapshots written and the messages appended. */
function recordingSessions() {
  const snapshots: (LiveResponse | null)[] = [];
  const appended: unknown[] = [];
  const sessions = {
    find: async () => ({ archived: false }),
    setLiveResponse: async (_sessionId: string, live: LiveResponse | null) => {
      snapshots.push(live);
    },
    append: async (_sessionId: string, messages: unknown[]) => {
      appended.push(...messages);
    },
  } as unknown as AgentSessions;
  return { sessions, snapshots, appended };
}

describe('TurnRecorder', () => {
  it('writes a snapshot per tool event holding the latest calls with output previews, and stores every call whole', async () => {
    const { sessions, snapshots, appended } = recordingSessions();
    const recorder = new TurnRecorder(sessions, 's', systemClock, silentLogger);
    await recorder.observe({ type: 'run_start', data: { run_id: 'r' } } as never);
    const calls = 2000;
    const output = 'o'.repeat(LIVE_OUTPUT_CHARS + 100);
    for (let index = 0; index < calls; index++)
      await recorder.observe({
        type: 'tool_start',
        data: { run_id: 'r', tool: `t${index}`, input: index === 0 ? { patch: output } : { index } },
      });
    for (let index = 0; index < calls; index++)
      await recorder.observe({ type: 'tool_end', data: { run_id: 'r', tool: `t${index}`, output } });
    expect(snapshots).toHaveLength(2 * calls);
    const last = snapshots.at(-1)!;
    expect(last.toolCalls.map((call) => call.tool)).toEqual(
      Array.from({ length: LIVE_TOOL_CALLS }, (_, index) => `t${calls - LIVE_TOOL_CALLS + index}`),
    );
    expect(last.toolCalls.at(-1)!.output).toBe(`${output.slice(0, LIVE_OUTPUT_CHARS)}…`);
    expect(last.toolCalls.at(-1)!.input).toEqual({ index: calls - 1 });
    const longInput = JSON.stringify({ patch: output });
    expect(snapshots[0]!.toolCalls[0]!.input).toEqual({ preview: `${longInput.slice(0, LIVE_OUTPUT_CHARS)}…` });
    // Each write stays small: the whole step's calls and outputs were in every one of them.
    const largest = Math.max(...snapshots.map((snapshot) => JSON.stringify(snapshot).length));
    expect(largest).toBeLessThan(LIVE_TOOL_CALLS * (LIVE_OUTPUT_CHARS + 200));
    await recorder.persist();
    const stored = appended[0] as { toolCalls: { tool: string; output: string }[] };
    expect(stored.toolCalls).toHaveLength(calls);
    expect(stored.toolCalls.every((call) => call.output === output)).toBe(true);
    expect((stored.toolCalls[0] as { input?: unknown }).input).toEqual({ patch: output });
  });

  it('once sealed, writes the reply so far as a last snapshot (after the write under way), then nothing more', async () => {
    const { sessions, snapshots, appended } = recordingSessions();
    let landWrite!: () => void;
    const held = new Promise<void>((resolve) => (landWrite = resolve));
    const setLiveResponse = sessions.setLiveResponse.bind(sessions);
    let first = true;
    sessions.setLiveResponse = async (sessionId, live) => {
      if (first) {
        first = false;
        await held;
      }
      await setLiveResponse(sessionId, live);
    };
    const recorder = new TurnRecorder(sessions, 's', systemClock, silentLogger);
    await recorder.observe({ type: 'run_start', data: { run_id: 'r' } } as never);
    const token = (content: string) => ({ type: 'token', data: { run_id: 'r', content } }) as never;
    const writing = recorder.observe(token('Once'));
    // Throttled: no snapshot of its own, only the sealed one has it.
    await recorder.observe(token(' upon'));
    const sealed = recorder.seal(true);
    landWrite();
    await Promise.all([writing, sealed]);
    expect(snapshots.map((snapshot) => snapshot?.content)).toEqual(['Once', 'Once upon']);
    await recorder.observe({ type: 'tool_start', data: { run_id: 'r', tool: 't', input: {} } });
    await recorder.persist('cancelled');
    expect(snapshots).toHaveLength(2);
    expect(appended).toEqual([]);
  });

  it('sealed without a last snapshot, or after its reply began to be stored, writes nothing more', async () => {
    const { sessions, snapshots, appended } = recordingSessions();
    const recorder = new TurnRecorder(sessions, 's', systemClock, silentLogger);
    await recorder.observe({ type: 'token', data: { run_id: 'r', content: 'Done.' } } as never);
    await recorder.persist();
    await recorder.seal(true);
    expect([snapshots.length, appended.length]).toEqual([1, 1]);
    const unsealed = recordingSessions();
    const late = new TurnRecorder(unsealed.sessions, 's', systemClock, silentLogger);
    await late.seal(false);
    await late.observe({ type: 'token', data: { run_id: 'r', content: 'x' } } as never);
    expect(unsealed.snapshots).toEqual([]);
  });

  it('sealed while its reply is being stored, waits for that write: the whole reply is kept', async () => {
    const { sessions, appended } = recordingSessions();
    const recorder = new TurnRecorder(sessions, 's', systemClock, silentLogger);
    await recorder.observe({ type: 'token', data: { run_id: 'r', content: 'The whole reply.' } } as never);
    // The store's read before the reply's write answers only when the test says.
    let answerFind!: () => void;
    const findHeld = new Promise<void>((resolve) => (answerFind = resolve));
    sessions.find = (async () => {
      await findHeld;
      return { archived: false };
    }) as never;
    const persisting = recorder.persist();
    let sealed = false;
    const sealing = recorder.seal(true).then(() => (sealed = true));
    await Promise.resolve();
    expect(sealed).toBe(false);
    answerFind();
    await Promise.all([persisting, sealing]);
    expect(appended).toEqual([expect.objectContaining({ content: 'The whole reply.' })]);
  });
});
