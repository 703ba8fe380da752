// The OpenAPI document as @elysiajs/swagger generates it from the routes' schemas. The server does not run this:
// it serves the document scripts/openapi.ts generated with it (src/http/routes/openapi.json), which a test keeps
// equal to what this generates. Generating it on the first request cost a server 6 MB at that moment and 4 MB kept
// (README "Turn cost: eleventh round").
import { swagger } from '@elysiajs/swagger';
import { Elysia } from 'elysia';

export interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, unknown> };
        responses?: Record<string, { content?: Record<string, unknown>; $id?: string }>;
      }
    >
  >;
}

/** Keeps only the JSON (and event-stream) media types of every body and response, and drops stray `$id`s. */
export function jsonOnly(document: OpenApiDocument): OpenApiDocument {
  const keep = (content: Record<string, unknown> | undefined) =>
    content &&
    Object.fromEntries(
      Object.entries(content).filter(([type]) => type === 'application/json' || type === 'text/event-stream'),
    );
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (operation.requestBody?.content) operation.requestBody.content = keep(operation.requestBody.content);
      for (const response of Object.values(operation.responses ?? {})) {
        if (response.content) response.content = keep(response.content);
        delete response.$id;
      }
    }
  }
  return document;
}

/** The plugin that answers GET /openapi.json with the document generated from the routes of the app using it. */
export function liveOpenApi(version: string) {
  return (
    new Elysia({ name: 'live-openapi' })
      // The plugin lists every body and response under three media types; the API speaks JSON (and SSE).
      .onAfterHandle(({ request, response }) => {
        if (new URL(request.url).pathname !== '/openapi.json' || !response || typeof response !== 'object') return;
        return jsonOnly(response as OpenApiDocument);
      })
      .use(
        swagger({
          provider: 'swagger-ui',
          path: '/swagger',
          specPath: '/openapi.json',
          excludeStaticFile: false,
          exclude: ['/swagger', '/openapi.json', '/swagger/assets/:file'],
          documentation: {
            info: {
              title: 'Mini-OpenClaw API',
              version,
              description:
                'Agents, sessions, chat (JSON and SSE), files, skills, config. Every success is `{data}`, every failure `{error}`.',
            },
            components: {
              securitySchemes: {
                bearer: { type: 'http', scheme: 'bearer', description: 'Required when APP_API_TOKEN is set' },
              },
            },
            security: [{ bearer: [] }],
          },
        }),
      )
  );
}
