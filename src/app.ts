// createApp(services): every route plugin in order, so the whole API reads top to bottom. Never listens.
import { cors } from '@elysiajs/cors';
import { type AnyElysia, Elysia } from 'elysia';
import type { AgentsService, FilesService } from './agents';
import type { ApprovalsService, ChatService, RunsService } from './chat';
import type { ConfigService, EnvSettings } from './config';
import type { AuthLockout } from './http/auth-lockout';
import { bodyParser } from './http/body-parser';
import { errorEnvelope } from './http/error-envelope';
import type { OpenStreams } from './http/open-streams';
import type { RateLimiter } from './http/rate-limit';
import { requestGuards, tokenHolderCheck } from './http/request-guards';
import { createStreamSlots } from './http/stream-slots';
import { agentRoutes } from './http/routes/agents.routes';
import { approvalRoutes } from './http/routes/approvals.routes';
import { chatRoutes } from './http/routes/chat.routes';
import { configRoutes } from './http/routes/config.routes';
import { cronRoutes } from './http/routes/cron.routes';
import { docsRoutes } from './http/routes/docs.routes';
import { fileRoutes } from './http/routes/files.routes';
import { healthRoutes, type Readiness } from './http/routes/health.routes';
import { heartbeatRoutes } from './http/routes/heartbeat.routes';
import { llmConfigRoutes } from './http/routes/llm-config.routes';
import { retrievalRoutes } from './http/routes/retrieval.routes';
import { runRoutes } from './http/routes/runs.routes';
import { sessionChatRoutes } from './http/routes/session-chat.routes';
import { sessionRoutes } from './http/routes/sessions.routes';
import { tokenRoutes } from './http/routes/tokens.routes';
import { usageRoutes } from './http/routes/usage.routes';
import type { LlmService } from './llm';
import type { RetrievalService } from './retrieval';
import type { SchedulerService } from './scheduler';
import type { SessionsService } from './sessions';
import type { Logger } from './shared/logger';
import type { UsageService } from './usage';

function routePattern(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** What the routes use: one service per domain, the request guards' state, and readiness (a `Deps` is one). */
export interface AppServices {
  settings: Pick<
    EnvSettings,
    'allowedOrigins' | 'trustedHosts' | 'trustedProxies' | 'apiToken' | 'dataDir' | 'rejoinStreams'
  >;
  logger: Logger;
  rateLimiter: RateLimiter;
  authLockout: AuthLockout;
  readiness: Readiness;
  agents: Pick<AgentsService, 'list' | 'create' | 'delete'>;
  files: FilesService;
  sessions: SessionsService;
  chat: ChatService;
  runs: RunsService;
  approvals: ApprovalsService;
  config: ConfigService;
  scheduler: SchedulerService;
  usage: UsageService;
  retrieval: RetrievalService;
  llm: LlmService;
}

/** How an app is made: `openApi` generates /openapi.json from the routes instead of serving the file (scripts/openapi.ts). */
export interface AppOptions {
  openApi?: AnyElysia;
  /** Where the chat and rejoin streams are listed while open (server.ts ends them with a last event when stopping). */
  streams?: OpenStreams;
}

export function createApp(services: AppServices, options: AppOptions = {}) {
  // The request guards (a declared length) and the parse hook (a streamed one) enforce the real limits with an
  // envelope; Bun's own cap would answer a bare 413 first, so it is set out of the way.
  const app = new Elysia({ serve: { maxRequestBodySize: Number.MAX_SAFE_INTEGER } });
  const patterns: { method: string; pattern: RegExp }[] = [];
  const allowedMethods = (pathname: string) => {
    if (patterns.length !== app.routes.length) {
      patterns.length = 0;
      for (const route of app.routes) patterns.push({ method: route.method, pattern: routePattern(route.path) });
    }
    return [
      ...new Set(
        patterns
          .filter((route) => route.method !== 'OPTIONS' && route.pattern.test(pathname))
          .map((route) => route.method),
      ),
    ];
  };

  return (
    app
      // Any request header is allowed (the contract): a preflight gets the headers it asked for echoed.
      // Set before the CORS plugin answers; without this it echoes a missing list as "undefined".
      .onRequest(({ request, set }) => {
        const requested = request.method === 'OPTIONS' ? request.headers.get('access-control-request-headers') : null;
        if (requested) (set.headers as Record<string, string>)['access-control-allow-headers'] = requested;
      })
      .use(
        cors({
          origin: services.settings.allowedOrigins,
          methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
          allowedHeaders: 'content-type, authorization, x-request-id',
          credentials: true,
          exposeHeaders: ['x-request-id', 'retry-after'],
          maxAge: 600,
        }),
      )
      .use(
        requestGuards({
          trustedHosts: services.settings.trustedHosts,
          allowedOrigins: services.settings.allowedOrigins,
          trustedProxies: services.settings.trustedProxies,
          apiToken: services.settings.apiToken,
          rateLimiter: services.rateLimiter,
          authLockout: services.authLockout,
        }),
      )
      .use(errorEnvelope({ logger: services.logger, dataDir: services.settings.dataDir, allowedMethods }))
      .use(bodyParser())
      .use(docsRoutes(options.openApi))
      .use(
        healthRoutes(services.readiness, tokenHolderCheck({ ...services.settings, authLockout: services.authLockout })),
      )
      .use(agentRoutes(services.agents, services.llm))
      .use(chatRoutes(services.chat, options.streams))
      .use(runRoutes(services.runs, createStreamSlots(services.settings.rejoinStreams), options.streams))
      .use(approvalRoutes(services.approvals))
      .use(sessionRoutes(services.sessions))
      .use(sessionChatRoutes(services.sessions))
      .use(tokenRoutes(services.sessions, services.files))
      .use(fileRoutes(services.files))
      .use(configRoutes(services.config))
      .use(llmConfigRoutes(services.llm))
      .use(cronRoutes(services.scheduler))
      .use(heartbeatRoutes(services.scheduler))
      .use(usageRoutes(services.usage))
      .use(retrievalRoutes(services.retrieval))
  );
}

export type App = ReturnType<typeof createApp>;
