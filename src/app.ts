// createApp(deps): every route plugin in order, so the whole API reads top to bottom. Never listens.
import { cors } from '@elysiajs/cors';
import { Elysia } from 'elysia';
import type { FilesService, AgentsService } from './agents';
import type { ChatService } from './chat';
import type { EnvSettings, RuntimeConfigStore, TracingControl } from './config';
import type { AuthLockout } from './http/auth-lockout';
import type { RateLimiter } from './http/rate-limit';
import type { RetrievalService } from './retrieval';
import type { SchedulerService } from './scheduler';
import type { Sandbox } from './security';
import type { SessionsService } from './sessions';
import type { Logger } from './shared/logger';
import type { StorageProbe } from './shared/storage-probe';
import type { UsageService } from './usage';
import type { AgentStorage } from './storage/agent-storage';
import { errorEnvelope, MAX_FILE_BODY_BYTES } from './http/error-envelope';
import { requestGuards } from './http/request-guards';
import { agentRoutes } from './http/routes/agents.routes';
import { chatRoutes } from './http/routes/chat.routes';
import { configRoutes } from './http/routes/config.routes';
import { cronRoutes } from './http/routes/cron.routes';
import { docsRoutes } from './http/routes/docs.routes';
import { fileRoutes } from './http/routes/files.routes';
import { healthRoutes } from './http/routes/health.routes';
import { heartbeatRoutes } from './http/routes/heartbeat.routes';
import { retrievalRoutes } from './http/routes/retrieval.routes';
import { sessionChatRoutes } from './http/routes/session-chat.routes';
import { sessionRoutes } from './http/routes/sessions.routes';
import { tokenRoutes } from './http/routes/tokens.routes';
import { usageRoutes } from './http/routes/usage.routes';
import { VERSION } from './version';

function routePattern(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** What the routes use: the domain services and the request guards' state (a `Deps` is one). */
export interface AppServices {
  settings: Pick<EnvSettings, 'allowedOrigins' | 'trustedHosts' | 'trustedProxies' | 'apiToken' | 'dataDir' | 'llm'>;
  logger: Logger;
  rateLimiter: RateLimiter;
  authLockout: AuthLockout;
  state: { ready: boolean };
  storage: StorageProbe;
  sandbox: Pick<Sandbox, 'status'>;
  agents: AgentsService<AgentStorage>;
  files: FilesService;
  sessions: SessionsService;
  chat: ChatService;
  configStore: RuntimeConfigStore;
  tracing: TracingControl;
  scheduler: SchedulerService;
  usage: UsageService;
  retrieval: RetrievalService;
  clock: { nowMs(): number };
}

export function createApp(deps: AppServices) {
  // Our parse hook enforces the real limits with an envelope; Bun's own cap only stops abuse far above them.
  const app = new Elysia({ serve: { maxRequestBodySize: MAX_FILE_BODY_BYTES * 16 } });
  const patterns: { method: string; pattern: RegExp }[] = [];
  const allowedMethods = (pathname: string) => {
    if (patterns.length !== app.routes.length) {
      patterns.length = 0;
      for (const route of app.routes) patterns.push({ method: route.method, pattern: routePattern(route.path) });
    }
    return [...new Set(patterns.filter((route) => route.method !== 'OPTIONS' && route.pattern.test(pathname)).map((route) => route.method))];
  };

  return app
    // Any request header is allowed (the contract): a preflight gets the headers it asked for echoed.
    // Set before the CORS plugin answers; without this it echoes a missing list as "undefined".
    .onRequest(({ request, set }) => {
      const requested = request.method === 'OPTIONS' ? request.headers.get('access-control-request-headers') : null;
      if (requested) (set.headers as Record<string, string>)['access-control-allow-headers'] = requested;
    })
    .use(
      cors({
        origin: deps.settings.allowedOrigins,
        methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowedHeaders: 'content-type, authorization, x-request-id',
        credentials: true,
        exposeHeaders: ['x-request-id', 'retry-after'],
        maxAge: 600,
      }),
    )
    .use(
      requestGuards({
        trustedHosts: deps.settings.trustedHosts,
        allowedOrigins: deps.settings.allowedOrigins,
        trustedProxies: deps.settings.trustedProxies,
        apiToken: deps.settings.apiToken,
        rateLimiter: deps.rateLimiter,
        authLockout: deps.authLockout,
      }),
    )
    .use(errorEnvelope({ logger: deps.logger, dataDir: deps.settings.dataDir, allowedMethods }))
    .use(docsRoutes(VERSION))
    .use(healthRoutes(deps.state, deps.storage, () => deps.sandbox.status()))
    .use(agentRoutes(deps.agents))
    .use(chatRoutes(deps.chat))
    .use(sessionRoutes(deps.sessions))
    .use(sessionChatRoutes(deps.sessions))
    .use(tokenRoutes(deps.sessions, deps.files))
    .use(fileRoutes(deps.files))
    .use(configRoutes(deps.agents, deps.configStore, deps.tracing))
    .use(cronRoutes(deps.scheduler))
    .use(heartbeatRoutes(deps.scheduler))
    .use(usageRoutes(deps.usage))
    .use(retrievalRoutes(deps.retrieval));
}

export type App = ReturnType<typeof createApp>;
