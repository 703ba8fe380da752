// The runs of a session as the sessions domain sees them: whether one is live, and holding the session from them
// (its run cancelled first, here or, with shared storage, on the replica running it).
import type { AgentDirectory } from '../agents';
import type { SessionRunHolds } from '../sessions';
import { isAppError } from '../shared/app-error';
import type { RemoteCancel } from './remote-cancel';
import type { RunRegistry } from './run-registry';
import { isActiveRunStatus, type RunPorts } from './run-store.port';

/** With `cancel`, a run another replica holds is cancelled there first; without, it is 409 `session_busy`. */
export type SessionRuns = SessionRunHolds;

export interface SessionRunsDeps {
  registry: RunRegistry;
  agents: AgentDirectory<RunPorts>;
  /** Cancels a run another replica runs (shared storage only); read at each call, as it is built later. */
  remote: () => RemoteCancel | undefined;
}

/** Active runs a session may have at once: one live run, and a paused one left by a dead replica. */
const ACTIVE_RUNS_LOOKED_AT = 20;

export function createSessionRuns(deps: SessionRunsDeps): SessionRuns {
  return {
    isBusy: (agentId, sessionId) => deps.registry.isBusy(agentId, sessionId),
    async hold(agentId, sessionId, options, work) {
      try {
        return await deps.registry.hold(agentId, sessionId, options, work);
      } catch (error) {
        const remote = deps.remote();
        const elsewhere = isAppError(error) && error.details?.held_by === 'another_replica';
        if (!options.cancel || !remote || !elsewhere) throw error;
        const runs = deps.agents.get(agentId).storage.runs;
        const page = await runs.list({ sessionId }, ACTIVE_RUNS_LOOKED_AT);
        const active = page.runs.filter((run) => isActiveRunStatus(run.status));
        if (active.length === 0) throw error;
        for (const run of active) await remote.cancel(agentId, run.runId, runs);
        // The replica lets go of the session's lock just after the run row says it ended.
        await deps.registry.whenFree(agentId, sessionId);
        return deps.registry.hold(agentId, sessionId, options, work);
      }
    },
  };
}
