// The price catalog: assets/pricing.json (embedded in the binary) plus the operator's overrides, and model matching.
import { z } from 'zod';
import catalogJson from '../../assets/pricing.json' with { type: 'json' };
import { modelPriceSchema, type ModelPrice } from '../config';
import { KNOWN_PROVIDERS } from './usage-record';

const catalogSchema = z
  .object({
    version: z.string().min(1),
    source: z.string().min(1),
    currency: z.literal('USD'),
    unit: z.literal('usd_per_1m_tokens'),
    providers: z.record(
      z.string(),
      z
        .object({
          source: z.string().min(1),
          models: z.array(modelPriceSchema.extend({ key: z.string().min(1) })).min(1),
        })
        .strict(),
    ),
  })
  .strict();

/** A model's prices and where they came from. */
export interface PriceEntry extends ModelPrice {
  key: string;
  source: string;
}

export interface PricingCatalog {
  version: string;
  source: string;
  /** Operator entries (any provider unless they name one), then the catalog's entries of `provider`, in catalog order. */
  entriesFor(provider: string): PriceEntry[];
}

export const OVERRIDE_SOURCE = 'runtime_config.usage.pricing_overrides';

let builtin: PricingCatalog | undefined;

/** The embedded catalog, validated on first use (a broken asset fails loudly, at the first price lookup and in its unit test). */
export function builtinCatalog(): PricingCatalog {
  if (builtin) return builtin;
  const parsed = catalogSchema.parse(catalogJson);
  const byProvider = new Map<string, PriceEntry[]>();
  for (const [provider, list] of Object.entries(parsed.providers)) {
    byProvider.set(
      provider,
      list.models.map((model) => ({ ...model, key: model.key.toLowerCase(), source: list.source })),
    );
  }
  builtin = {
    version: parsed.version,
    source: parsed.source,
    entriesFor: (provider) => byProvider.get(provider) ?? [],
  };
  return builtin;
}

/** `catalog` with the operator's entries in front; an override with a catalog key replaces that entry. */
export function withOverrides(
  catalog: PricingCatalog,
  overrides: Readonly<Record<string, ModelPrice>>,
): PricingCatalog {
  const extra = Object.entries(overrides).map(([key, price]) => ({
    ...price,
    key: key.toLowerCase(),
    source: OVERRIDE_SOURCE,
  }));
  if (extra.length === 0) return catalog;
  return {
    version: catalog.version,
    source: catalog.source,
    entriesFor(provider) {
      const mine = extra.filter((entry) => !entry.provider || entry.provider === provider);
      const keys = new Set(mine.map((entry) => entry.key));
      return [...mine, ...catalog.entriesFor(provider).filter((entry) => !keys.has(entry.key))];
    },
  };
}

/** Lower-cased model id without a known `<provider>/` or `<provider>:` head. */
export function modelKeyOf(model: string): string {
  const id = model.trim().toLowerCase();
  const match = /^([^/:]+)[/:](.+)$/.exec(id);
  return match && (KNOWN_PROVIDERS as readonly string[]).includes(match[1]!) ? match[2]! : id;
}

const namesOf = (entry: PriceEntry) => [entry.key, ...(entry.aliases ?? [])];

/**
 * The entry for a model: an exact key or alias first, else the LONGEST key or alias that prefixes the id
 * at a word boundary (so `gpt-5-mini-2025-08-07` is `gpt-5-mini`, not `gpt-5`). Null when nothing matches.
 */
export function findPrice(
  catalog: PricingCatalog,
  provider: string,
  model: string,
): { entry: PriceEntry; modelKey: string } | null {
  const id = modelKeyOf(model);
  const entries = catalog.entriesFor(provider.trim().toLowerCase());
  const exact = entries.find((entry) => namesOf(entry).includes(id));
  if (exact) return { entry: exact, modelKey: exact.key };
  let best: { entry: PriceEntry; length: number } | null = null;
  for (const entry of entries) {
    for (const name of namesOf(entry)) {
      const boundary = id.length > name.length && /[^a-z0-9]/.test(id[name.length]!);
      if (boundary && id.startsWith(name) && (!best || name.length > best.length))
        best = { entry, length: name.length };
    }
  }
  return best ? { entry: best.entry, modelKey: best.entry.key } : null;
}
