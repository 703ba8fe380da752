import { describe, expect, it } from 'bun:test';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/logger';
import { EmbeddingError } from './embedding-client';
import { createEmbeddingHealth, EMBEDDING_COOLDOWN_MS, REFUSAL_COOLDOWN_MS } from './embedding-health';

/** Health over a client that fails every call with `error`, on a clock the test moves. */
function failingWith(error: EmbeddingError) {
  const clock = { now: 1_000_000 };
  const client = {
    identity: { provider: 'openai' as const, model: 'embed' },
    embed: async (): Promise<Float32Array[]> => {
      throw error;
    },
  };
  const health = createEmbeddingHealth(client, { ...systemClock, nowMs: () => clock.now }, silentLogger);
  return { health, clock };
}

describe('embedding health', () => {
  it('reports a request the provider refuses (a text too long) and pauses for 5 s only', async () => {
    const { health, clock } = failingWith(
      new EmbeddingError('embedding server answered 400: maximum context length exceeded', false, 'other', 400),
    );
    await expect(health.embedder!.embed(['x'.repeat(200_000)])).rejects.toThrow(/maximum context length/);
    expect(health.state().lastError).toContain('maximum context length');
    expect(health.canEmbed()).toBe(false);
    clock.now += REFUSAL_COOLDOWN_MS;
    expect(health.canEmbed()).toBe(true);
  });

  it('pauses for 30 s when the provider fails (5xx, auth), and says why', async () => {
    for (const error of [
      new EmbeddingError('embedding server answered 500: boom', true, 'server_error', 500),
      new EmbeddingError('embedding server answered 401', false, 'auth_error', 401),
    ]) {
      const { health, clock } = failingWith(error);
      await expect(health.embedder!.embed(['x'])).rejects.toThrow();
      expect(health.state()).toMatchObject({ state: 'degraded', lastError: error.message });
      clock.now += REFUSAL_COOLDOWN_MS;
      expect(health.canEmbed()).toBe(false);
      clock.now += EMBEDDING_COOLDOWN_MS;
      expect(health.canEmbed()).toBe(true);
    }
  });

  it('asks the provider again on recheck after a failure, and says it recovered', async () => {
    let failing = true;
    const client = {
      identity: { provider: 'openai' as const, model: 'embed' },
      embed: async (texts: string[]) => {
        if (failing) throw new EmbeddingError('embedding server answered 500: boom', true, 'server_error', 500);
        return texts.map(() => new Float32Array([1]));
      },
    };
    const health = createEmbeddingHealth(client, systemClock, silentLogger);
    await expect(health.embedder!.embed(['x'])).rejects.toThrow();
    expect(health.state().state).toBe('degraded');
    failing = false;
    await health.recheck(Date.now() + 1);
    expect(health.state()).toMatchObject({ state: 'ok', lastError: null });
    expect(health.canEmbed()).toBe(true);
  });

  it('answers a recheck without waiting out a provider that hangs', async () => {
    let calls = 0;
    const client = {
      identity: { provider: 'openai' as const, model: 'embed' },
      embed: (): Promise<Float32Array[]> => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new EmbeddingError('timeout', true, 'timeout'))
          : new Promise<Float32Array[]>(() => undefined);
      },
    };
    const health = createEmbeddingHealth(client, systemClock, silentLogger, EMBEDDING_COOLDOWN_MS, 20);
    await expect(health.embedder!.embed(['x'])).rejects.toThrow();
    await health.recheck(Date.now() + 1);
    expect(calls).toBe(2);
    expect(health.state().state).toBe('degraded');
  });
});
