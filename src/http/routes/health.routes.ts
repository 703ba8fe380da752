// Liveness and readiness probes; open even when a token is required.
import { Elysia, t } from 'elysia';
import { errors } from '../schemas';

export function healthRoutes(state: { ready: boolean }) {
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
          return { status: 'starting' as const };
        }
        return { status: 'ready' as const };
      },
      {
        response: { 200: t.Object({ status: t.Literal('ready') }), 503: t.Object({ status: t.String() }), ...errors(500) },
        detail: { summary: 'Readiness: storage is open and requests are accepted' },
      },
    );
}
