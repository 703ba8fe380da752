// /api/runs: turns as resources: look one up, list them, cancel one, and rejoin its event stream.
import { Elysia } from 'elysia';
import type { RunsService } from '../../chat';
import { validationError } from '../../shared/app-error';
import { errors } from '../schemas';
import type { OpenStreams } from '../open-streams';
import { sseResponse } from '../sse';
import { STREAM_RETRY_AFTER_SECONDS, type StreamSlot, type StreamSlots } from '../stream-slots';
import {
  EVENTS_DESCRIPTION,
  RunAnswer,
  RunEventsHeaders,
  RunEventsQuery,
  RunListQuery,
  RunPage,
  RunParams,
  RunQuery,
  toWireRun,
} from './runs.schema';

/** The sequence number in a `Last-Event-ID` of this run (`<run_id>:<seq>`); 422 for any other value. */
function lastEventSeq(header: string, runId: string): number {
  const separator = header.lastIndexOf(':');
  const digits = header.slice(separator + 1);
  // Exactly the form the server sends: `1e3`, `0x10`, `+7`, ` 7` or an empty number are no id of it.
  const seq = /^[0-9]{1,16}$/.test(digits) ? Number(digits) : Number.NaN;
  if (separator < 0 || header.slice(0, separator) !== runId || !Number.isSafeInteger(seq))
    throw validationError('header.last-event-id', `Expected "${runId}:<seq>", an event id of this run`);
  return seq;
}

/**
 * `slots` caps the rejoin streams open at once (per run and in all); `streams` lists them, so a stopping server can
 * end them with a last event.
 */
export function runRoutes(runs: RunsService, slots: StreamSlots, streams?: OpenStreams) {
  return new Elysia({ prefix: '/api/runs', detail: { tags: ['runs'] } })
    .get(
      '',
      async ({ query }) => {
        const page = await runs.list(query.agent_id, {
          sessionId: query.session_id,
          status: query.status,
          limit: query.limit ?? 50,
          cursor: query.cursor,
        });
        const items = page.runs.map((run) => toWireRun(page.agentId, run));
        return { data: { agent_id: page.agentId, runs: items, count: items.length, next_cursor: page.nextCursor } };
      },
      {
        query: RunListQuery,
        response: { 200: RunPage, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'Runs of an agent (chat, cron, heartbeat), newest first, cursor-paged' },
      },
    )
    .get(
      '/:run_id',
      async ({ params, query }) => {
        const { agentId, run } = await runs.get(query.agent_id, params.run_id);
        return { data: toWireRun(agentId, run) };
      },
      {
        params: RunParams,
        query: RunQuery,
        response: { 200: RunAnswer, ...errors(400, 401, 404, 422, 429, 500) },
        detail: { summary: 'One run: status, trigger, session, timings, model, usage, approvals' },
      },
    )
    .post(
      '/:run_id/cancel',
      async ({ params, query }) => {
        const { agentId, run } = await runs.cancel(query.agent_id, params.run_id);
        return { data: toWireRun(agentId, run) };
      },
      {
        params: RunParams,
        query: RunQuery,
        response: { 200: RunAnswer, ...errors(400, 401, 404, 409, 422, 429, 500) },
        detail: {
          summary: 'Cancel a live run',
          description:
            'Aborts the model call and kills the tool processes of the run; the partial reply is stored with `status: cancelled`, the usage consumed is recorded, and every attached stream ends with an `error` event `{code: "cancelled"}`. Answers once the run has ended, with its record. 409 `run_not_active` when it has already finished, or has ended while its final status still waits for storage (a full disk; `details.final_status` names it). With a shared database, a run another replica runs is stopped there (within about 2 s). A run paused for approvals before a restart can be cancelled too (its approvals become `cancelled`).',
        },
      },
    )
    .get(
      '/:run_id/events',
      async ({ params, query, headers, set }) => {
        const header = headers['last-event-id'];
        const after = header ? lastEventSeq(header, params.run_id) : query.after;
        const field = header ? 'header.last-event-id' : 'query.after';
        const sent = set.headers as Record<string, string>;
        let slot: StreamSlot;
        try {
          slot = slots.take(params.run_id);
        } catch (error) {
          // The envelope's answer takes the headers set here.
          sent['retry-after'] = String(STREAM_RETRY_AFTER_SECONDS);
          throw error;
        }
        const subscription = await runs.events(query.agent_id, params.run_id, after, field).catch((error: unknown) => {
          slot.release();
          throw error;
        });
        // The comment sends the headers now: a run waiting for an approval may say nothing for a long time.
        const options = { comment: `run ${params.run_id}`, streams, onEnd: slot.release };
        return sseResponse(subscription, sent, options) as unknown as never;
      },
      {
        params: RunParams,
        query: RunEventsQuery,
        headers: RunEventsHeaders,
        response: errors(400, 401, 404, 422, 429, 500),
        detail: { summary: 'Rejoin (or replay) the event stream of a run', description: EVENTS_DESCRIPTION },
      },
    );
}
