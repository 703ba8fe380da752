import { describe, expect, it } from 'bun:test';
import { recordUsage, zeroCounts } from '../../../src/usage';
import { startChatFixture } from '../../support/chat-fixture';

describe('scheduled runs at a budget cap', () => {
  it('records skipped_budget for cron and heartbeat runs without calling the model; warn only does not skip', async () => {
    await using fixture = await startChatFixture({ env: { LLM_MODEL: 'gpt-4o-mini' } });
    const { server, model } = fixture;
    // Earlier spend today of exactly $0.50 (gpt-4.1-nano: $0.10 per 1M input tokens).
    await recordUsage(
      server.deps.agents.get('default').storage.usage,
      {
        schema_version: 2,
        agent_id: 'default',
        provider: 'openai',
        model: 'gpt-4.1-nano',
        model_source: 'fallback_model',
        usage_source: 'usage_metadata',
        trigger_type: 'chat',
        run_id: 'earlier',
        session_id: 'other',
        ...zeroCounts(),
        input_tokens: 5_000_000,
      },
      { pricingOverrides: {}, nowMs: Date.now() - 1000 },
    );
    expect(
      (
        await server.json('PUT', '/api/config/runtime', {
          config: { usage: { budget: { daily_usd: 0.5, action: 'block' } } },
        })
      ).status,
    ).toBe(200);
    await server.json('POST', '/api/files', {
      path: 'workspace/HEARTBEAT.md',
      content: '# Checks\n- look at memory\n',
    });
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: false, active_start_hour: 0, active_end_hour: 0 });

    const job = (
      await server.json('POST', '/api/scheduler/cron/jobs', {
        name: 'nightly',
        schedule_type: 'every',
        schedule: '3600',
        prompt: 'Summarise.',
      })
    ).body.data.job;
    const cronRun = (await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`)).body.data.run;
    expect(cronRun.status).toBe('skipped_budget');
    expect(JSON.stringify(cronRun)).toContain('$0.50');
    await server.json('PUT', '/api/scheduler/heartbeat', { enabled: true });
    const beat = (await server.json('POST', '/api/scheduler/heartbeat/run')).body.data.run;
    expect(beat.status).toBe('skipped_budget');
    expect(model.chatRequests()).toHaveLength(0);

    // With action warn the same spend lets the run go ahead.
    await server.json('PUT', '/api/config/runtime', {
      config: { usage: { budget: { daily_usd: 0.5, action: 'warn' } } },
    });
    const warned = (await server.json('POST', `/api/scheduler/cron/jobs/${job.id}/run?wait=true`)).body.data.run;
    expect(warned.status).toBe('ok');
    expect(model.chatRequests().length).toBeGreaterThan(0);
  });
});
