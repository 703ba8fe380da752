// The OpenAPI document drives a real client: types generated from the served document in this run,
// a journey that must type-check against them, and every response validated against its declared schema.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import { z } from 'zod';
import { startChatFixture } from '../support/chat-fixture';

const CLIENT_DIR = join(import.meta.dir, 'typed-client');
const REPO_ROOT = join(import.meta.dir, '..', '..');

type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

/** The templated document path that `pathname` matches. */
function documentPath(document: Document, pathname: string): string | undefined {
  return Object.keys(document.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
  );
}

describe('OpenAPI document', () => {
  it('lists every route the server serves', async () => {
    await using fixture = await startChatFixture();
    const document = (await (await fetch(`${fixture.server.url}/openapi.json`)).json()) as Document;
    const undocumented = fixture.server
      .routes()
      .filter((route) => route.path.startsWith('/api') && !['OPTIONS', 'HEAD', 'ALL'].includes(route.method))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((route) => {
        const [method, path] = route.split(' ') as [string, string];
        return !document.paths[path]?.[method.toLowerCase()];
      });
    expect(undocumented).toEqual([]);
  });

  it('generates a typed client that type-checks a full journey, and every answer matches its schema', async () => {
    await using fixture = await startChatFixture();
    const document = (await (await fetch(`${fixture.server.url}/openapi.json`)).json()) as Document;
    mkdirSync(join(CLIENT_DIR, 'generated'), { recursive: true });
    writeFileSync(join(CLIENT_DIR, 'generated', 'schema.d.ts'), astToString(await openapiTS(document as never)));
    const tsc = Bun.spawnSync({
      cmd: [
        process.execPath,
        join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(CLIENT_DIR, 'tsconfig.json'),
      ],
      cwd: REPO_ROOT,
    });
    expect({ exit: tsc.exitCode, output: tsc.stdout.toString() + tsc.stderr.toString() }).toEqual({
      exit: 0,
      output: '',
    });

    const mismatches: string[] = [];
    let validated = 0;
    const client = createClient<any>({ baseUrl: fixture.server.url });
    client.use({
      async onResponse({ request, response }) {
        const pathname = new URL(request.url).pathname;
        const template = documentPath(document, pathname);
        const declared = template
          ? document.paths[template]![request.method.toLowerCase()]?.responses[String(response.status)]
          : undefined;
        const schema = declared?.content?.['application/json']?.schema;
        if (!schema) {
          mismatches.push(`${request.method} ${pathname} ${response.status}: no schema declared`);
          return;
        }
        const parsed = z.fromJSONSchema(schema as never).safeParse(await response.clone().json());
        validated++;
        if (!parsed.success)
          mismatches.push(`${request.method} ${pathname} ${response.status}: ${parsed.error.message}`);
      },
    });
    // A computed path, so the repository's own type check does not follow it into the generated types.
    const { runJourney } = await import(join(CLIENT_DIR, 'journey.ts'));
    const steps: { step: string; status: number }[] = await runJourney(client as never, {
      baseUrl: fixture.server.url,
      enqueueModel: (...steps: never[]) => fixture.model.enqueue(...steps),
    });
    expect(steps.every((step) => step.status < 500)).toBe(true);
    expect(steps.map((step) => step.step)).toEqual(
      expect.arrayContaining(['chat', 'run after rejoin', 'cancel run', 'approve a call', 'reject a call']),
    );
    expect(mismatches).toEqual([]);
    expect(validated).toBe(steps.length);
  }, 60_000);
});
