// One model's prices (USD per 1M tokens): the shape of the catalogue's entries, usage overrides and profile prices.
import { z } from 'zod';

const int = (min: number, max = 1_000_000_000) => z.number().int().min(min).max(max);
const rate = z.number().min(0).max(1_000_000).nullable();
const longContextRates = z
  .object({
    threshold_tokens: int(1),
    input: rate,
    output: rate,
    cache_read: rate.optional(),
    cache_write_5m: rate.optional(),
    cache_write_1h: rate.optional(),
  })
  .strict();

/** One model's prices in USD per 1M tokens, as in assets/pricing.json; `provider` limits an override to one provider. */
export const modelPriceSchema = z
  .object({
    provider: z.string().trim().toLowerCase().min(1).max(64).optional(),
    aliases: z.array(z.string().trim().toLowerCase().min(1).max(200)).max(50).optional(),
    input: rate,
    output: rate,
    cache_read: rate.optional(),
    cache_write_5m: rate.optional(),
    cache_write_1h: rate.optional(),
    long_context: longContextRates.optional(),
  })
  .strict();
export type ModelPrice = z.output<typeof modelPriceSchema>;
