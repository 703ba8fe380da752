import { describe, expect, it } from 'bun:test';
import { recordUsage, zeroCounts } from '../../../src/usage';
import { startChatFixture, type ChatFixture } from '../../support/chat-fixture';
import { readSse } from '../../support/sse-client';

// A fixed midday clock, so "today" and "this month" never straddle a boundary while a test runs.
const NOW = Date.UTC(2026, 5, 15, 12);
const clock = { nowMs: () => NOW };

/** Earlier spend today: a gpt-4.1-nano run costing exactly `usd` ($0.10 per 1M input tokens), or one of unknown cost. */
async function spent(fixture: ChatFixture, usd: number, model = 'gpt-4.1-nano') {
  await recordUsage(
    fixture.server.deps.agents.get('default').storage.usage,
    {
      schema_version: 2,
      agent_id: 'default',
      provider: 'openai',
      model,
      model_source: 'fallback_model',
      usage_source: 'usage_metadata',
      trigger_type: 'chat',
      run_id: 'earlier',
      session_id: 'other',
      ...zeroCounts(),
      input_tokens: Math.round(usd * 1e7),
    },
    { pricingOverrides: {}, nowMs: NOW - 1000 },
  );
}

const setBudget = (fixture: ChatFixture, budget: Record<string, unknown>) =>
  fixture.server.json('PUT', '/api/config/runtime', { config: { usage: { budget } } });

describe('usage.budget', () => {
  it('blocks a chat at the daily cap with 429 budget_exceeded: no model call, nothing stored', async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'gpt-4o-mini' }, overrides: { clock } });
    expect((await setBudget(fixture, { daily_usd: 0.5, action: 'block' })).status).toBe(200);
    await spent(fixture, 0.5);
    await spent(fixture, 0.01, 'mystery-model');
    const sessionId = await fixture.newSession();
    for (const stream of [true, false]) {
      const response = await fixture.server.json('POST', '/api/chat', {
        message: 'hello',
        session_id: sessionId,
        stream,
      });
      expect(response.status).toBe(429);
      expect(response.body.error.code).toBe('budget_exceeded');
      expect(response.body.error.details).toEqual(
        expect.objectContaining({
          state: 'over',
          action: 'block',
          window: 'daily',
          cap_usd: 0.5,
          spend_usd: 0.5,
          unpriced_runs: 1,
          timezone: 'UTC',
          resets_at: expect.any(String),
        }),
      );
      expect(response.body.error.details.resets_at).toBe('2026-06-16T00:00:00.000Z');
      expect(response.body.error.message).toContain('1 run(s) of unknown cost');
    }
    expect(fixture.model.chatRequests()).toHaveLength(0);
    expect((await fixture.server.json('GET', `/api/sessions/${sessionId}/history`)).body.data.messages).toEqual([]);
    expect((await fixture.server.json('GET', '/api/usage/summary')).body.data.totals.runs).toBe(2);
    // Auxiliary calls fall back instead of calling the model.
    await fixture.server.deps.sessions
      .of(fixture.server.deps.agents.get('default'))
      .append(sessionId, [{ role: 'user', content: 'Plan a trip to Rome' }]);
    const title = await fixture.server.json('POST', `/api/sessions/${sessionId}/generate-title`);
    expect(title.body.data.title).toBe('Plan a trip to Rome');
    expect(fixture.model.chatRequests()).toHaveLength(0);
  });

  it('lets the chat run with action warn, and below the cap with action block', async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'gpt-4o-mini' }, overrides: { clock } });
    await spent(fixture, 0.5);
    await setBudget(fixture, { daily_usd: 0.5, action: 'warn' });
    const sessionId = await fixture.newSession();
    fixture.model.enqueue({ kind: 'text', text: 'Fine.' }, { kind: 'text', text: 'Title' });
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    expect(events.find((event) => event.event === 'usage')!.data.budget).toEqual(
      expect.objectContaining({ state: 'over', action: 'warn', window: 'daily' }),
    );
    await setBudget(fixture, { daily_usd: 10, action: 'block' });
    expect(
      (await fixture.server.json('POST', '/api/chat', { message: 'again', session_id: sessionId, stream: false }))
        .status,
    ).toBe(200);
  });

  it('adds a budget warning to the usage event once the run brings spend to 80 % of a cap', async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'gpt-4.1-nano' }, overrides: { clock } });
    await setBudget(fixture, { monthly_usd: 1, action: 'block' });
    await spent(fixture, 0.79);
    const sessionId = await fixture.newSession();
    // 100,000 input tokens at $0.10 per 1M = $0.01: 0.79 -> 0.80.
    fixture.model.enqueue(
      { kind: 'text', text: 'Close to the cap.', usage: { prompt_tokens: 100_000, completion_tokens: 0 } },
      { kind: 'text', text: 'Title' },
    );
    const events = await readSse(await fixture.chat({ message: 'hello', session_id: sessionId }));
    const usage = events.find((event) => event.event === 'usage')!.data;
    expect(usage.cost_usd).toBe(0.01);
    expect(usage.budget).toEqual(
      expect.objectContaining({
        state: 'warn',
        action: 'block',
        window: 'monthly',
        cap_usd: 1,
        spend_usd: 0.8,
        ratio: 0.8,
      }),
    );
    expect(events.at(-1)!.event).toBe('title');

    await using below = await startChatFixture({ env: { LLM_MODEL: 'gpt-4.1-nano' }, overrides: { clock } });
    await setBudget(below, { monthly_usd: 1, action: 'block' });
    await spent(below, 0.78);
    const otherSession = await below.newSession();
    below.model.enqueue(
      { kind: 'text', text: 'Fine.', usage: { prompt_tokens: 100_000, completion_tokens: 0 } },
      { kind: 'text', text: 'Title' },
    );
    const quiet = await readSse(await below.chat({ message: 'hello', session_id: otherSession }));
    expect(quiet.find((event) => event.event === 'usage')!.data.budget).toBeUndefined();
  });

  it('refuses a bad budget config with 422 naming the field', async () => {
    await using fixture = await startChatFixture();
    const response = await setBudget(fixture, { daily_usd: -1, action: 'stop', timezone: 'Nowhere/City' });
    expect(response.status).toBe(422);
    expect(response.body.error.details.items.map((item: any) => item.field).sort()).toEqual([
      'config.usage.budget.action',
      'config.usage.budget.daily_usd',
      'config.usage.budget.timezone',
    ]);
  });
});
