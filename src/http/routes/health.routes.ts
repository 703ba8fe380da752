// Liveness and readiness probes; open even when a token is required.
import { Elysia, t } from 'elysia';
import type { StorageProbe } from '../../shared/storage-probe';
import { errors } from '../schemas';

const NotReady = t.Object({
  status: t.String({ description: '`starting` (also while stopping) or `not_ready`' }),
  reason: t.Optional(t.String({ description: 'Why not ready, e.g. the data folder is read-only or full' })),
  code: t.Optional(t.String({ description: '`storage_unavailable` or `insufficient_storage`' })),
});

/** `/api/health` says the process answers; `/api/ready` also needs storage open and the data folder writable. */
export function healthRoutes(state: { ready: boolean }, storage: StorageProbe) {
  return new Elysia({ prefix: '/api', detail: { tags: ['health'] } })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: { 200: t.Object({ status: t.Literal('ok') }) },
      detail: { summary: 'Liveness: the process answers' },
    })
    .get(
      '/ready',
      ({ set }) => {
        if (!state.ready) {
          set.status = 503;
          return { status: 'starting' };
        }
        const health = storage.check();
        if (!health.writable) {
          set.status = 503;
          return { status: 'not_ready', reason: health.reason, code: health.code };
        }
        return { status: 'ready' as const };
      },
      {
        response: { 200: t.Object({ status: t.Literal('ready') }), ...errors(500), 503: NotReady },
        detail: { summary: 'Readiness: storage is open, the data folder takes writes, requests are accepted' },
      },
    );
}
