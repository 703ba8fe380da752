// Liveness and readiness probes; open even when a token is required.
import { Elysia, t } from 'elysia';
import type { SandboxStatus } from '../../security/sandbox';
import { errors } from '../schemas';

const sandboxDetails = t.Object({
  available: t.Boolean(),
  start: t.Union([t.String(), t.Null()]),
  proc: t.Boolean(),
  reason: t.Union([t.String(), t.Null()]),
});

export function healthRoutes(state: { ready: boolean }, sandboxStatus: () => SandboxStatus) {
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
          return { status: 'starting' as const, details };
        }
        return { status: 'ready' as const, details };
      },
      {
        response: {
          200: t.Object({ status: t.Literal('ready'), details: t.Object({ sandbox: sandboxDetails }) }),
          503: t.Object({ status: t.String(), details: t.Optional(t.Object({ sandbox: sandboxDetails })) }),
          ...errors(500),
        },
        detail: {
          summary: 'Readiness: storage is open and requests are accepted',
          description: 'details.sandbox says whether the tool sandbox works here; without it terminal and python_repl are refused (unless tool_sandbox.mode is off).',
        },
      },
    );
}
