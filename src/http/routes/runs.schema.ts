// Wire shapes of /api/runs: a run as JSON, the list query and page, the events query.
import { t } from 'elysia';
import type { RunRecord } from '../../chat';
import { AgentIdQuery, ok } from '../schemas';

export const RunParams = t.Object({ run_id: t.String({ minLength: 1, maxLength: 100 }) });
export const RunQuery = t.Object({ agent_id: AgentIdQuery });

const RunStatusSchema = t.Union(
  [
    t.Literal('running'),
    t.Literal('waiting_approval'),
    t.Literal('completed'),
    t.Literal('failed'),
    t.Literal('cancelled'),
    t.Literal('interrupted'),
  ],
  { description: '`running` and `waiting_approval` are active; the others are final' },
);

export const RunListQuery = t.Object({
  agent_id: AgentIdQuery,
  session_id: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  status: t.Optional(RunStatusSchema),
  limit: t.Optional(t.Integer({ default: 50, description: 'Runs per page, 1..200' })),
  cursor: t.Optional(t.String({ maxLength: 32, description: '`next_cursor` of the previous page' })),
});

export const RunEventsQuery = t.Object({
  agent_id: AgentIdQuery,
  after: t.Optional(
    t.Integer({ minimum: 0, description: 'Replay the events after this sequence number (as Last-Event-ID does)' }),
  ),
});

export const RunEventsHeaders = t.Object(
  {
    'last-event-id': t.Optional(
      t.String({ maxLength: 200, description: 'The id of the last event received (`<run_id>:<seq>`)' }),
    ),
  },
  { additionalProperties: true },
);

export const Run = t.Object(
  {
    run_id: t.String(),
    agent_id: t.String(),
    session_id: t.String(),
    trigger: t.String({ description: 'chat, cron or heartbeat' }),
    status: RunStatusSchema,
    started_at_ms: t.Integer(),
    finished_at_ms: t.Union([t.Integer(), t.Null()]),
    duration_ms: t.Union([t.Integer(), t.Null()]),
    model: t.Union([t.String(), t.Null()]),
    attempts: t.Integer(),
    usage: t.Union([t.Record(t.String(), t.Any()), t.Null()], { description: 'The usage record of the run (§12.1)' }),
    error: t.Union([t.Object({ code: t.String(), message: t.String() }), t.Null()]),
    approval_ids: t.Array(t.String()),
  },
  { $id: '#/components/schemas/Run' },
);

export const RunAnswer = ok(Run);
export const RunPage = ok(
  t.Object({
    agent_id: t.String(),
    runs: t.Array(Run),
    count: t.Integer(),
    next_cursor: t.Union([t.String(), t.Null()]),
  }),
);

export const toWireRun = (agentId: string, run: RunRecord) => ({
  run_id: run.runId,
  agent_id: agentId,
  session_id: run.sessionId,
  trigger: run.trigger,
  status: run.status,
  started_at_ms: run.startedMs,
  finished_at_ms: run.finishedMs,
  duration_ms: run.finishedMs === null ? null : run.finishedMs - run.startedMs,
  model: run.model,
  attempts: run.attempts,
  usage: run.usage,
  error: run.error,
  approval_ids: run.approvalIds,
});

export const EVENTS_DESCRIPTION =
  'A `text/event-stream` of the run: every event carries `id: <run_id>:<seq>`. With `Last-Event-ID` (or `?after=<seq>`) it replays the events after that one, then continues live; without either it replays the run from its first event. A run that has ended (up to 10 minutes ago) is replayed and the stream closes. Events the bounded buffer no longer holds are announced by a first `error` event with `code: "events_expired"`. An id past the last event the run has sent is a 422. Streams open at once are capped per run and per server (`APP_MAX_REJOIN_STREAMS_PER_RUN`, default 32; `APP_MAX_REJOIN_STREAMS`, default 1,000): past either, 429 `too_many_streams` with `Retry-After` and `details.scope` `run` or `server`; a stream that ends, or whose client leaves, frees its slot.';
