// The OpenAPI document at /openapi.json and a Swagger UI page whose assets are inside the binary.
import { type AnyElysia, Elysia } from 'elysia';
import bundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import cssPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import { assetPath } from '../../shared/build-files';
import openApiFile from './openapi.json' with { type: 'file' };

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

/**
 * The OpenAPI document scripts/openapi.ts generated, served from its file (inside the binary, beside the bundle). The
 * import gives its path; TypeScript, which does not read import attributes, types it as the parsed JSON.
 */
const OPENAPI_PATH = assetPath(openApiFile as unknown as string);

/** The page, with the headers the request has gathered so far (request id, security headers). */
const page = (headers: Record<string, unknown>) =>
  new Response(PAGE, {
    headers: { ...(headers as Record<string, string>), 'content-type': 'text/html; charset=utf-8' },
  });

const DOC_PAGES = new Set(['/swagger', '/swagger/', '/docs', '/docs/', '/redoc', '/redoc/']);

const ASSETS: Record<string, { path: string; type: string }> = {
  '/swagger/assets/swagger-ui-bundle.js': {
    path: assetPath(bundlePath),
    type: 'application/javascript; charset=utf-8',
  },
  '/swagger/assets/swagger-ui.css': { path: assetPath(cssPath), type: 'text/css; charset=utf-8' },
};

/**
 * The pages and their assets, and /openapi.json: the document generated ahead (scripts/openapi.ts), or, given
 * `openApi` (that script, and the test that checks the file), the plugin that generates it from the routes.
 */
export function docsRoutes(openApi?: AnyElysia) {
  const routes = new Elysia({ name: 'docs' })
    // The plugin's own page loads Swagger UI from a CDN; answer /swagger with the local page first.
    // /docs and /redoc, where the original's documentation lived, show the same page.
    .onRequest(({ request, set }) => {
      const pathname = new URL(request.url).pathname;
      if (request.method !== 'GET' || !DOC_PAGES.has(pathname)) return;
      return page(set.headers);
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
    );

  if (openApi) return routes.use(openApi);
  // The pages have routes of their own too (the hook above answers them first), so that another method on them is
  // told which one is allowed (405), as when the plugin's page stood there.
  const pageRoute = ({ set }: { set: { headers: Record<string, unknown> } }) => page(set.headers);
  return (
    routes
      // Served from the file as written, never parsed or held in memory.
      .get(
        '/openapi.json',
        ({ set }) => {
          set.headers['content-type'] = 'application/json';
          return Bun.file(OPENAPI_PATH);
        },
        { detail: { hide: true } },
      )
      .get('/swagger', pageRoute, { detail: { hide: true } })
      .get('/docs', pageRoute, { detail: { hide: true } })
      .get('/redoc', pageRoute, { detail: { hide: true } })
  );
}
