// The import rules of ARCHITECTURE.md hold over src/, and the checker that says so catches each kind of break.
import { describe, expect, it } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkArchitecture, findCycles, importSpecifiers } from '../../scripts/architecture-rules';
import { makeTempDir } from '../support/temp-dir';

const SRC = join(import.meta.dir, '..', '..', 'src');

/** A small src/ tree with the given files. */
function tree(files: Record<string, string>) {
  const temp = makeTempDir('moc-arch-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(temp.path, path)), { recursive: true });
    writeFileSync(join(temp.path, path), text);
  }
  return temp;
}

const rulesOf = (files: Record<string, string>) => {
  using temp = tree(files);
  return checkArchitecture(temp.path).map((violation) => `${violation.rule} ${violation.file}`);
};

describe('architecture of src/', () => {
  it('has the edge importing only domain index files, domains importing each other through them, no cycle, SQL in adapters', () => {
    expect(checkArchitecture(SRC)).toEqual([]);
  });
});

describe('the architecture checker', () => {
  const domain = {
    'sessions/index.ts': "export { list } from './list';\n",
    'sessions/list.ts': "import type { Database } from 'bun:sqlite';\nexport const list = 1;\n",
    'sessions/sqlite/store.sqlite.ts':
      "import { Database } from 'bun:sqlite';\nimport { open } from '../../db/open';\nexport const store = Database && open;\n",
    'db/open.ts': "import { Database } from 'bun:sqlite';\nexport const open = Database;\n",
    'shared/clock.ts': "import { list } from '../sessions';\nexport const clock = list;\n",
  };

  it('finds a route reaching past an index, a domain doing so, a domain importing its own index, and shared importing a domain', () => {
    expect(
      rulesOf({
        ...domain,
        'http/routes/x.routes.ts':
          "import { list } from '../../sessions/list';\nimport { ok } from '../../sessions';\n",
        'chat/turn.ts': "import { list } from '../sessions/list';\n",
        'sessions/service.ts': "import { list } from './index';\n",
      }).sort(),
    ).toEqual([
      'domain-imports-index chat/turn.ts',
      'edge-imports-index http/routes/x.routes.ts',
      'own-index sessions/service.ts',
      'shared-imports-nothing shared/clock.ts',
      'sqlite-in-adapters sessions/list.ts',
    ]);
  });

  it('finds the database layer used outside an adapter, and an import cycle, type imports included', () => {
    expect(
      rulesOf({
        'tools/registry.ts': "import { run } from './runner';\nexport const registry = run;\n",
        'tools/runner.ts': "import type { Registry } from './registry';\nexport const run = 1;\n",
        'usage/report.ts': "import { open } from '../db/open';\n",
        'db/open.ts': 'export const open = 1;\n',
      }).sort(),
    ).toEqual(['cycle tools/registry.ts', 'db-in-adapters usage/report.ts']);
  });

  it('reads every form of import and re-export', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "import * as c from 'c-package';",
      "import './side-effect';",
      "export { d } from './d';",
      "export type { E } from './e';",
      "export * from './f';",
      "const g = await import('./g');",
      "import bundle from 'swagger-ui-dist/bundle.js' with { type: 'file' };",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([
      './a',
      '../b',
      'c-package',
      './side-effect',
      './d',
      './e',
      './f',
      './g',
      'swagger-ui-dist/bundle.js',
    ]);
  });

  it('reports each cycle once, with its members', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
  });
});
