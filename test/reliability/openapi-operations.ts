// The operations of the served OpenAPI document, and a cheap fingerprint of a data folder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Operation {
  method: string;
  /** The templated path, e.g. `/api/sessions/{session_id}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[];
}

export async function readOperations(url: string): Promise<Operation[]> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, any>>;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters: { in: string; name: string }[] = operation.parameters ?? [];
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        queryParams: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
        bodyFields: Object.keys(schema?.properties ?? {}),
      });
    }
  }
  return operations;
}

/** Path, size and modification time of every file under `root` (SQLite's shared-memory files excluded). */
export function dataFolderState(root: string): Record<string, string> {
  const state: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('-shm')) {
        const stat = statSync(path);
        state[path.slice(root.length)] = `${stat.size}:${stat.mtimeMs}`;
      }
    }
  };
  walk(root);
  return state;
}
