// The import rules of ARCHITECTURE.md, checked over src/: the edge reaches domains through their index, no cycles, SQL in adapters.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Violation {
  rule:
    | 'edge-imports-index'
    | 'domain-imports-index'
    | 'own-index'
    | 'shared-imports-nothing'
    | 'db-in-adapters'
    | 'sqlite-in-adapters'
    | 'cycle';
  file: string;
  message: string;
}

/** Top-level files and folders that wire the program together; they may import any module, adapters included. */
const COMPOSITION = new Set([
  'main.ts',
  'app.ts',
  'deps.ts',
  'deps.types.ts',
  'deps-lifecycle.ts',
  'deps-readiness.ts',
  'deps-retrieval.ts',
  'deps-scheduler.ts',
  'server.ts',
  'cli.ts',
  'version.ts',
  'storage',
]);
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Whether a module is test code (tests and the contract suites they run), which the rules leave alone. */
export const isTestCode = (path: string) => /\.(test|contract)\.ts$/.test(path);
/** Whether a module is a storage adapter (or the database layer itself). */
const isAdapter = (path: string) =>
  path.startsWith('db/') || /(^|\/)(sqlite|postgres)\//.test(path) || /\.(sqlite|postgres)\.ts$/.test(path);

function listModules(root: string, folder = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, folder))) {
    const path = folder ? `${folder}/${entry}` : entry;
    if (statSync(join(root, path)).isDirectory()) found.push(...listModules(root, path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts') && !isTestCode(path)) found.push(path);
  }
  return found;
}

/** The import and export-from specifiers of a module's text (comments are not parsed out; the rules need none). */
export function importSpecifiers(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((match) => (match[1] ?? match[2])!);
}

/** A relative specifier as a module path under `root` (`x` -> `x.ts` or `x/index.ts`); null for packages and files outside. */
function resolveModule(root: string, from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(root, dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      const path = relative(root, candidate);
      return path.startsWith('..') ? null : path;
    }
  }
  return null;
}

const topOf = (path: string) => path.split('/')[0]!;

/** Every violation of the import rules in the TypeScript tree at `root` (the repository's `src/`). */
export function checkArchitecture(root: string): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const file of listModules(root)) {
    const specifiers = importSpecifiers(readFileSync(join(root, file), 'utf8'));
    const targets: string[] = [];
    const top = topOf(file);
    for (const specifier of specifiers) {
      if (specifier === 'bun:sqlite' && !isAdapter(file)) {
        violations.push({
          rule: 'sqlite-in-adapters',
          file,
          message: 'bun:sqlite outside db/ and the sqlite/ adapters',
        });
      }
      const target = resolveModule(root, file, specifier);
      if (!target) continue;
      targets.push(target);
      const targetTop = topOf(target);
      const isIndex = target === `${targetTop}/index.ts`;
      if (targetTop === top) {
        if (isIndex && file !== target)
          violations.push({
            rule: 'own-index',
            file,
            message: `imports its own domain's index (${target}); import the file itself`,
          });
        continue;
      }
      if (COMPOSITION.has(top) || !target.includes('/')) continue;
      if (top === 'shared') {
        violations.push({ rule: 'shared-imports-nothing', file, message: `shared/ imports ${target}` });
      } else if (targetTop === 'db') {
        if (!isAdapter(file))
          violations.push({
            rule: 'db-in-adapters',
            file,
            message: `imports ${target}; only adapters use the database layer`,
          });
      } else if (targetTop !== 'shared' && !isIndex) {
        const rule = top === 'http' ? 'edge-imports-index' : 'domain-imports-index';
        violations.push({ rule, file, message: `imports ${target}; go through ${targetTop}/index.ts` });
      }
    }
    graph.set(file, targets);
  }
  for (const cycle of findCycles(graph)) {
    violations.push({ rule: 'cycle', file: cycle[0]!, message: `import cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  }
  return violations;
}

/** The strongly connected components of more than one module (or a module importing itself), each as one cycle's members. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const members: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      members.push(member);
    } while (member !== node);
    if (members.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(members.reverse());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
