// Liveness and readiness probes; open even when a token is required.
import { Elysia, t } from 'elysia';
import type { SandboxStatus } from '../../security/sandbox';
import type { StorageProbe } from '../../shared/storage-probe';
import { errors } from '../schemas';

const SandboxDetails = t.Object(
  {
    available: t.Boolean(),
    start: t.Union([t.String(), t.Null()]),
    proc: t.Boolean(),
    reason: t.Union([t.String(), t.Null()]),
  },
  { description: 'Whether the tool sandbox works here; without it terminal and python_repl are refused (unless tool_sandbox.mode is off)' },
);
const Details = t.Object({ sandbox: SandboxDetails });

const NotReady = t.Object({
  status: t.String({ description: '`starting` (also while stopping) or `not_ready`' }),
  reason: t.Optional(t.String({ description: 'Why not ready, e.g. the data folder is read-only or full' })),
  code: t.Optional(t.String({ description: '`storage_unavailable` or `insufficient_storage`' })),
  details: t.Optional(Details),
});

/** `/api/health` says the process answers; `/api/ready` also needs storage open and the data folder writable. */
export function healthRoutes(state: { ready: boolean }, storage: StorageProbe, sandboxStatus: () => SandboxStatus) {
  return new Elysia({ prefix: '/api', detail: { tags: ['health'] } })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: { 200: t.Object({ status: t.Literal('ok') }) },
      detail: { summary: 'Liveness: the process answers' },
    })
    .get(
      '/ready',
      ({ set }) => {
        const details = { sandbox: sandboxStatus() };
        if (!state.ready) {
          set.status = 503;
          return { status: 'starting', details };
        }
        const health = storage.check();
        if (!health.writable) {
          set.status = 503;
          return { status: 'not_ready', reason: health.reason, code: health.code, details };
        }
        return { status: 'ready' as const, details };
      },
      {
        response: { 200: t.Object({ status: t.Literal('ready'), details: Details }), ...errors(500), 503: NotReady },
        detail: { summary: 'Readiness: storage is open, the data folder takes writes, requests are accepted' },
      },
    );
}
