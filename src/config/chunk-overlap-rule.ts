// A rule for what a request sets, not for files already stored: chunk_overlap at most half of chunk_size.
import type { ValidationItem } from '../shared/app-error';
import type { RuntimeConfig } from './runtime-config.schema';

type Json = Record<string, unknown>;
const DOMAINS = ['memory', 'knowledge'] as const;

const objectAt = (value: unknown, key: string): Json | undefined => {
  const inner = value && typeof value === 'object' ? (value as Json)[key] : undefined;
  return inner && typeof inner === 'object' ? (inner as Json) : undefined;
};

/**
 * Past half a chunk each chunk may bring a single new line, and many tiny lines then cost chunk_size × lines
 * (chunk-text.ts). The schema still accepts any overlap below the size, so a config.json written before this
 * rule keeps loading (chunkText caps the overlap at half a chunk itself); a request that sets either value for a
 * domain gets this 422 instead. `changed` is the part of the config the request wrote.
 */
export function chunkOverlapIssues(config: RuntimeConfig, changed: Json, fieldPrefix: string): ValidationItem[] {
  const items: ValidationItem[] = [];
  for (const domain of DOMAINS) {
    const written = objectAt(objectAt(changed, 'retrieval'), domain);
    if (!written || !('chunk_size' in written || 'chunk_overlap' in written)) continue;
    const { chunk_size: size, chunk_overlap: overlap } = config.retrieval[domain];
    if (overlap * 2 > size)
      items.push({
        field: [fieldPrefix, 'retrieval', domain, 'chunk_overlap'].filter(Boolean).join('.'),
        message: 'chunk_overlap must be at most half of chunk_size',
        code: 'value_error',
      });
  }
  return items;
}

/** The chunk settings that differ between two raw configs, in the shape chunkOverlapIssues reads as written. */
export function chunkingChanges(before: Json, after: Json): Json {
  const retrieval: Json = {};
  for (const domain of DOMAINS) {
    const old = objectAt(objectAt(before, 'retrieval'), domain) ?? {};
    const now = objectAt(objectAt(after, 'retrieval'), domain) ?? {};
    const changed = ['chunk_size', 'chunk_overlap'].filter((key) => old[key] !== now[key]);
    if (changed.length > 0) retrieval[domain] = Object.fromEntries(changed.map((key) => [key, now[key]]));
  }
  return { retrieval };
}
