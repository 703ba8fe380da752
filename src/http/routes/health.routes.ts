// Liveness and readiness probes; open even when a token is required.
import { Elysia } from 'elysia';
import type { LlmStatus } from '../../llm';
import type { SandboxStatus } from '../../security';
import type { StorageHealth } from '../../shared/storage-probe';
import type { TokenHolderCheck } from '../request-guards';
import { errors } from '../schemas';
import { Alive, NotReady, Ready } from './health.schema';
import { toLlmStatus } from './llm.schema';

/** `/api/health` says the process answers; `/api/ready` also needs storage open and the data folder writable. */
/** What readiness reads: whether the server is up, whether the data folder takes writes, and the sandbox's verdict. */
export interface Readiness {
  isReady(): boolean;
  /** The data folder's (and, with a shared database, the database's) state; may have to ask over the network. */
  storage(): StorageHealth | Promise<StorageHealth>;
  sandbox(): Promise<SandboxStatus>;
  /** The global model route and its profiles' breakers (reported; never makes the server unready). */
  llm(): LlmStatus;
}

/** With `APP_API_TOKEN` set, `/api/ready` without the token answers only its status (same HTTP codes), never `details`. */
export function healthRoutes(readiness: Readiness, isTokenHolder: TokenHolderCheck) {
  return new Elysia({ prefix: '/api', detail: { tags: ['health'] } })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: { 200: Alive },
      detail: { summary: 'Liveness: the process answers' },
    })
    .get(
      '/ready',
      async ({ set, request, server }) => {
        const detailed = await isTokenHolder(request, server?.requestIP(request)?.address);
        const details = detailed
          ? { sandbox: await readiness.sandbox(), llm: toLlmStatus(readiness.llm()) }
          : undefined;
        if (!readiness.isReady()) {
          set.status = 503;
          return detailed ? { status: 'starting', details } : { status: 'starting' };
        }
        const health = await readiness.storage();
        if (!health.writable) {
          set.status = 503;
          if (!detailed) return { status: 'not_ready' };
          return { status: 'not_ready', reason: health.reason, code: health.code, details };
        }
        return detailed ? { status: 'ready' as const, details } : { status: 'ready' as const };
      },
      {
        response: { 200: Ready, ...errors(500), 503: NotReady },
        detail: { summary: 'Readiness: storage is open, the data folder takes writes, requests are accepted' },
      },
    );
}
