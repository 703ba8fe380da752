// The stop's step for scheduled work: each agent's cron runs and heartbeat tick in progress end `interrupted`.
import { INTERRUPT_WRITES_MS } from '../chat';
import { within } from '../shared/event-loop';
import type { Logger } from '../shared/logger';

/** The services of one agent, as far as a stop needs them. */
export interface InterruptibleServices {
  agentId: string;
  cron: { interruptLive(): Promise<number> };
  heartbeat: { interruptLive(): Promise<number> };
}

/**
 * Stores the rows of the runs `services` have in progress `interrupted` (see `CronRunner.interruptActive` and
 * `LiveTicks.interrupt`), waiting INTERRUPT_WRITES_MS at most, as the chat interrupt does: what storage has not
 * written by then is left to the next start's sweep. Never rejects; returns how many rows changed.
 */
export async function interruptScheduled(services: readonly InterruptibleServices[], logger: Logger): Promise<number> {
  let changed = 0;
  const writes = services.flatMap((opened) =>
    [opened.cron, opened.heartbeat].map(async (service) => {
      try {
        changed += await service.interruptLive();
      } catch (error) {
        logger.warn('scheduled runs not stored as interrupted; the next start marks them', {
          agent_id: opened.agentId,
          error: String(error),
        });
      }
    }),
  );
  const written = await within(
    Promise.all(writes).then(() => true),
    INTERRUPT_WRITES_MS,
    false,
  );
  if (changed > 0 || !written)
    logger.info('scheduled runs ended interrupted as the server stops', { rows: changed, all_written: written });
  return changed;
}
