// The OpenAPI document at /openapi.json and a Swagger UI page whose assets are inside the binary.
import { swagger } from '@elysiajs/swagger';
import { Elysia } from 'elysia';
import bundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import cssPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };

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

const ASSETS: Record<string, { path: string; type: string }> = {
  '/swagger/assets/swagger-ui-bundle.js': { path: bundlePath, type: 'application/javascript; charset=utf-8' },
  '/swagger/assets/swagger-ui.css': { path: cssPath, type: 'text/css; charset=utf-8' },
};

export function docsRoutes(version: string) {
  return (
    new Elysia({ name: 'docs' })
      // The plugin's own page loads Swagger UI from a CDN; answer /swagger with the local page first.
      .onRequest(({ request, set }) => {
        const pathname = new URL(request.url).pathname;
        if (request.method !== 'GET' || (pathname !== '/swagger' && pathname !== '/swagger/')) return;
        return new Response(PAGE, { headers: { ...(set.headers as Record<string, string>), 'content-type': 'text/html; charset=utf-8' } });
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
              description: 'Agents, sessions, chat (JSON and SSE), files, skills, config. Every success is `{data}`, every failure `{error}`.',
            },
            components: {
              securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when APP_API_TOKEN is set' } },
            },
            security: [{ bearer: [] }],
          },
        }),
      )
  );
}
