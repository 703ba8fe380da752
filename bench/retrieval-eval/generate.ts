// Writes the retrieval evaluation set (test/fixtures/retrieval-eval/) from a fixed seed: same output on every run.
// Run: node_modules/.bin/bun bench/retrieval-eval/generate.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONCEPTS } from './concepts';

export interface EvalDocument {
  path: string;
  text: string;
}
export interface EvalQuery {
  id: string;
  kind: 'paraphrase' | 'code' | 'misspelling' | 'many_terms' | 'exact';
  query: string;
  relevant: string[];
}

const OUT = join(import.meta.dir, '..', '..', 'test', 'fixtures', 'retrieval-eval');
const DOCUMENTS = 320;
const FILLER = [
  'notes were updated after the review',
  'several details remain open for now',
  'nothing else changed since last week',
  'the record was filed under general topics',
  'further remarks follow in the appendix',
  'this entry was migrated from the old archive',
  'see the linked items for background',
  'owner confirmed the wording yesterday',
  'minor formatting fixes were applied',
];
const SYLLABLES = [
  'ka',
  'lo',
  'mir',
  'ven',
  'tas',
  'qu',
  'dor',
  'ri',
  'zen',
  'pha',
  'bel',
  'nox',
  'sul',
  'tri',
  'gan',
  'vo',
];

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function misspell(word: string, random: () => number): string {
  if (word.length < 5) return word + word.at(-1);
  const index = 1 + Math.floor(random() * (word.length - 2));
  return random() < 0.5
    ? word.slice(0, index) + word.slice(index + 1)
    : word.slice(0, index) + word[index + 1] + word[index] + word.slice(index + 2);
}

const tokens = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );

/** Builds the documents and queries (pure; `main` writes them). */
export function generateEvalSet(): { documents: EvalDocument[]; queries: EvalQuery[] } {
  const random = seeded(20_261_127);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const documents: EvalDocument[] = [];
  const facts: { path: string; a: number; b: number; wordA: number; wordB: number; code: string; name: string }[] = [];
  const pairs = new Set<string>();
  while (documents.length < DOCUMENTS) {
    const a = Math.floor(random() * CONCEPTS.length);
    const b = Math.floor(random() * CONCEPTS.length);
    if (a === b || pairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`)) continue;
    pairs.add(`${Math.min(a, b)}:${Math.max(a, b)}`);
    const wordA = Math.floor(random() * 3);
    const wordB = Math.floor(random() * 3);
    const code = String(10_000 + Math.floor(random() * 89_999));
    const name = Array.from({ length: 3 }, () => pick(SYLLABLES)).join('');
    const path = `knowledge/eval/doc-${String(documents.length + 1).padStart(3, '0')}.md`;
    const text = [
      `# ${name[0]!.toUpperCase()}${name.slice(1)} entry`,
      `This entry records the ${CONCEPTS[a]![wordA]} together with the ${CONCEPTS[b]![wordB]}.`,
      `${pick(FILLER)}; ticket ${code}.`,
      pick(FILLER),
      '',
    ].join('\n');
    documents.push({ path, text });
    facts.push({ path, a, b, wordA, wordB, code, name });
  }
  const queries: EvalQuery[] = [];
  const other = (word: number) => (word + 1 + Math.floor(random() * 2)) % 3;
  const add = (kind: EvalQuery['kind'], query: string, path: string) =>
    queries.push({
      id: `${kind}-${queries.filter((item) => item.kind === kind).length + 1}`,
      kind,
      query,
      relevant: [path],
    });
  for (let index = 0; index < 80; index++) {
    const fact = facts[(index * 37) % facts.length]!;
    const [A, B] = [CONCEPTS[fact.a]!, CONCEPTS[fact.b]!];
    if (index < 20) {
      // Zero overlap: other synonyms and connecting words the documents never use.
      const query = `${A[other(fact.wordA)]} plus ${B[other(fact.wordB)]}`;
      const shared = [...tokens(query)].filter((token) =>
        tokens(documents.find((doc) => doc.path === fact.path)!.text).has(token),
      );
      if (shared.length === 0) add('paraphrase', query, fact.path);
    } else if (index < 36) add('code', `ticket ${fact.code}`, fact.path);
    else if (index < 48)
      add('misspelling', `${misspell(A[fact.wordA]!, random)} ${misspell(B[fact.wordB]!, random)}`, fact.path);
    else if (index < 64)
      add(
        'many_terms',
        `could you please tell me what we wrote about the ${A[other(fact.wordA)]} and also the ${B[fact.wordB]} in that note, I think it was ticket ${fact.code} or so`,
        fact.path,
      );
    else add('exact', `${A[fact.wordA]} ${B[fact.wordB]}`, fact.path);
  }
  return { documents, queries };
}

if (import.meta.main) {
  const { documents, queries } = generateEvalSet();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'corpus.json'), `${JSON.stringify({ documents }, null, 1)}\n`);
  writeFileSync(join(OUT, 'queries.json'), `${JSON.stringify({ queries }, null, 1)}\n`);
  writeFileSync(join(OUT, 'concepts.json'), `${JSON.stringify({ concepts: CONCEPTS })}\n`);
  console.log(`wrote ${documents.length} documents and ${queries.length} queries to ${OUT}`);
}
