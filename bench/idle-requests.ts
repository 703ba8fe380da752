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

/** Fetches each of IDLE_REQUESTS from the server at `url`, reading every body; throws on an answer that is not 200. */
export async function sendIdleRequests(url: string): Promise<void> {
  for (const path of IDLE_REQUESTS) {
    const response = await fetch(url + path);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  }
}
