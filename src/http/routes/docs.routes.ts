// The OpenAPI document at /openapi.json and a Swagger UI page whose assets are inside the binary.
import { swagger } from '@elysiajs/swagger';
import { Elysia } from 'elysia';
import bundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import cssPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import { assetPath } from '../../shared/build-files';

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Mini-OpenClaw API</title>
  <link rel="stylesheet" href="/swagger/assets/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
  </script>
</body>
</html>`;

const DOC_PAGES = new Set(['/swagger', '/swagger/', '/docs', '/docs/', '/redoc', '/redoc/']);

const ASSETS: Record<string, { path: string; type: string }> = {
  '/swagger/assets/swagger-ui-bundle.js': {
    path: assetPath(bundlePath),
    type: 'application/javascript; charset=utf-8',
  },
  '/swagger/assets/swagger-ui.css': { path: assetPath(cssPath), type: 'text/css; charset=utf-8' },
};

interface OpenApiDocument {
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

export function docsRoutes(version: string) {
  return (
    new Elysia({ name: 'docs' })
      // The plugin's own page loads Swagger UI from a CDN; answer /swagger with the local page first.
      // /docs and /redoc, where the original's documentation lived, show the same page.
      .onRequest(({ request, set }) => {
        const pathname = new URL(request.url).pathname;
        if (request.method !== 'GET' || !DOC_PAGES.has(pathname)) return;
        return new Response(PAGE, {
          headers: { ...(set.headers as Record<string, string>), 'content-type': 'text/html; charset=utf-8' },
        });
      })
      .get(
        '/swagger/assets/:file',
        ({ request, set }) => {
          const asset = ASSETS[new URL(request.url).pathname];
          if (!asset) {
            set.status = 404;
            return 'Not found';
          }
          set.headers['content-type'] = asset.type;
          set.headers['cache-control'] = 'public, max-age=86400';
          return Bun.file(asset.path);
        },
        { detail: { hide: true } },
      )
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
