// The requests after which the foundation bench reads an idle server's memory: the ones a client opening the web UI or the docs sends.

/** Paths fetched once each, in this order, before the idle memory is read. */
export const IDLE_REQUESTS = [
  '/api/health',
  '/api/agents',
  '/api/sessions',
  '/api/skills',
  '/api/config/runtime',
  '/openapi.json',
  '/swagger',
] as const;
