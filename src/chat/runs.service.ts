// Runs as resources: look one up, list an agent's runs, cancel a live one, and follow (or replay) its events.
import type { AgentDirectory } from '../agents';
import { AppError, notFound, validationError } from '../shared/app-error';
import type { Subscription } from './live-run';
import type { RemoteCancel } from './remote-cancel';
import type { RunLedger } from './run-ledger';
import type { RunRegistry } from './run-registry';
import { isActiveRunStatus, type RunRecord, type RunStatus, type RunPorts } from './run-store.port';

export interface RunsServiceDeps {
  agents: AgentDirectory<RunPorts>;
  registry: RunRegistry;
  /** With storage other replicas share: cancels a run that one of them runs. */
  remote?: RemoteCancel;
  /** Runs that ended here whose final status storage has not taken yet (it is retried). */
  ledger?: Pick<RunLedger, 'unsettled'>;
}

export interface RunQuery {
  sessionId?: string;
  status?: RunStatus;
  limit: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

export interface RunsService {
  /** The stored run; 404 when the agent has no such run. */
  get(agentId: string | undefined, runId: string): Promise<{ agentId: string; run: RunRecord }>;
  /** Newest first; 422 on a limit outside 1..200 or a cursor this API did not give. */
  list(
    agentId: string | undefined,
    query: RunQuery,
  ): Promise<{ agentId: string; runs: RunRecord[]; nextCursor: string | null }>;
  /**
   * Stops a live run (model call aborted, tool processes killed) and resolves with its record once it has
   * ended. 404 for an unknown run; 409 `run_not_active` when it has finished or is not running here (also for a run
   * that ended here but whose final status is not stored yet: `details.final_status` names it). When the run's row
   * cannot be read, a run live here is still stopped before the storage error is thrown.
   */
  cancel(agentId: string | undefined, runId: string): Promise<{ agentId: string; run: RunRecord }>;
  /**
   * The run's events after sequence `after` (the whole run when absent), then live ones until it ends. A run
   * whose events this process no longer holds gives one `events_expired` error. 404 for an unknown run; 422
   * (naming `field`) for an `after` past the last event sent, which the stream would silently skip up to.
   */
  events(agentId: string | undefined, runId: string, after?: number, field?: string): Promise<Subscription>;
}

const CURSOR = /^[1-9][0-9]{0,15}$/;

export function createRunsService(deps: RunsServiceDeps): RunsService {
  const stored = async (agentId: string | undefined, runId: string) => {
    const agent = deps.agents.get(agentId);
    const run = await agent.storage.runs.get(runId);
    if (!run) throw notFound(`Run not found: ${runId}`, { run_id: runId });
    return { agent, run };
  };

  return {
    async get(agentId, runId) {
      const { agent, run } = await stored(agentId, runId);
      return { agentId: agent.id, run };
    },
    async list(agentId, query) {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 200)
        throw validationError('query.limit', 'Input should be between 1 and 200', 'less_than_equal');
      if (query.cursor !== undefined && !CURSOR.test(query.cursor))
        throw validationError('query.cursor', 'Not a cursor this API gave (use next_cursor of the previous page)');
      const agent = deps.agents.get(agentId);
      const page = await agent.storage.runs.list(
        { sessionId: query.sessionId, status: query.status },
        query.limit,
        query.cursor === undefined ? undefined : Number(query.cursor),
      );
      return { agentId: agent.id, runs: page.runs, nextCursor: page.next === null ? null : String(page.next) };
    },
    async cancel(agentId, runId) {
      const here = deps.registry.find(deps.agents.get(agentId).id, runId);
      const { agent, run } = await stored(agentId, runId).catch((error: unknown) => {
        // Its row cannot be read (the database is away): a run live here is stopped all the same, as it may be
        // spending tokens; the client hears the storage error, and asking again gets the ended run.
        if (here && !here.isFinished) here.cancel();
        throw error;
      });
      const live = deps.registry.find(agent.id, runId);
      const active = isActiveRunStatus(run.status);
      const runningHere = live !== null && !live.isFinished;
      // A run that ended here (still replayable, or gone from memory) while its row reads active: its final write waits.
      const ended = active && !runningHere ? (deps.ledger?.unsettled(agent.id, runId) ?? null) : null;
      if (ended)
        throw new AppError(
          'run_not_active',
          `Run ${runId} has ended (${ended}), but its status could not be stored yet; it is stored once storage takes the write.`,
          { run_id: runId, status: run.status, final_status: ended },
        );
      if (active && !live && deps.remote)
        return { agentId: agent.id, run: await deps.remote.cancel(agent.id, runId, agent.storage.runs) };
      if (!active || !live?.cancel()) {
        // Active in the store but not here, with no shared storage: no other server runs it; its row is out of date.
        const where = active && !live ? ' in this server; its stored status is out of date' : '';
        throw new AppError('run_not_active', `Run ${runId} is not active${where} (status ${run.status}).`, {
          run_id: runId,
          status: run.status,
        });
      }
      await live.done;
      return { agentId: agent.id, run: (await agent.storage.runs.get(runId)) ?? run };
    },
    async events(agentId, runId, after, field = 'query.after') {
      const agent = deps.agents.get(agentId);
      const live = deps.registry.find(agent.id, runId);
      if (live && after !== undefined && after >= live.nextSeq)
        throw validationError(field, `The run has sent ${live.nextSeq - 1} event(s) so far; ${after} is past its last`);
      if (live) return live.subscribe(after ?? 0);
      const { run } = await stored(agentId, runId);
      return expiredEvents(run.runId, isActiveRunStatus(run.status));
    },
  };
}

/** One `events_expired` error: the run is known but its events are no longer held here. */
function expiredEvents(runId: string, elsewhere: boolean): Subscription {
  return {
    close() {
      // Nothing to let go: the single event is made on demand.
    },
    async *[Symbol.asyncIterator]() {
      yield {
        type: 'error',
        data: {
          error: elsewhere
            ? 'The events of this run are held by the replica running it, not by this server.'
            : 'The events of this run are no longer held (runs are replayable for 10 minutes after they end).',
          run_id: runId,
          attempt: 1,
          code: 'events_expired',
        },
      };
    },
  };
}
