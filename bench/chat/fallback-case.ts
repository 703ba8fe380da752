// Time to first token when the primary model is down and its breaker open, beside the same turns on a healthy primary.
import { newSessions, openServer, warmUp, wordsReply, type BenchCase } from './case-kit';
import type { ServerSetup } from './bench-server';
import { percentile } from './run-report';

/** Refused at once on loopback: the primary that is down. */
const DEAD_PRIMARY = 'http://127.0.0.1:9/v1';

/** A route primary -> backup; the backup is the fake model; the cool-down outlasts the case, so no probe is timed. */
function routeTo(primaryUrl: string, backupUrl: string): ServerSetup {
  return {
    config: {
      agent_runtime: { max_retries: 0 },
      llm_profiles: {
        primary: { base_url: primaryUrl, model: 'fake-model', api_key_env: 'PRIMARY_KEY' },
        backup: { base_url: backupUrl, model: 'fake-model', api_key_env: 'BACKUP_KEY' },
      },
      llm_route: { default: 'primary', fallbacks: ['backup'] },
      llm_breaker: { failure_threshold: 3, cooldown_seconds: 3600, max_cooldown_seconds: 3600 },
    },
    env: { PRIMARY_KEY: 'k', BACKUP_KEY: 'k' },
  };
}

/**
 * `turns` sequential first turns (each a new session) on two servers: one whose primary answers, one whose
 * primary refuses connections (its breaker opened by the warm-up turns, so every measured turn goes
 * straight to the backup). Reports each first-token p50 and their difference (the target: 5 ms).
 */
export function breakerOpenCase(name: string, words: number, turns: number): BenchCase {
  return async (context) => {
    await context.model.setReply(wordsReply(words));
    const firstTokens: Record<'healthy' | 'open', number> = { healthy: NaN, open: NaN };
    for (const variant of ['healthy', 'open'] as const) {
      const primary = variant === 'healthy' ? context.model.baseUrl : DEAD_PRIMARY;
      const server = await openServer(context, `${name}-${variant}`, routeTo(primary, context.model.baseUrl));
      try {
        await warmUp(context, server);
        const timings = [];
        for (const [index, sessionId] of (await newSessions(server, turns)).entries())
          timings.push(await server.chat(sessionId, `${context.runTag} ${variant} ${index}`));
        await context.model.takeArrivals();
        const completed = timings.filter((timing) => timing.ok);
        console.log(`  ${variant}: ${completed.length}/${timings.length} turns completed`);
        firstTokens[variant] = percentile(
          completed.map((timing) => timing.firstMs),
          50,
        );
        context.report.add(
          name,
          `first token p50, ${variant === 'healthy' ? 'healthy primary' : 'primary down, breaker open'}`,
          firstTokens[variant],
        );
      } finally {
        await server.stop();
      }
    }
    context.report.add(
      name,
      'first token p50, breaker open minus healthy',
      firstTokens.open - firstTokens.healthy,
      'ms',
      '≤ 5 ms',
    );
    return [];
  };
}
