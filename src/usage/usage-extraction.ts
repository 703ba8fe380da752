// Reads one model call's token counts from any provider's usage shape (contract §12.1 extraction table).
import {
  inferProvider,
  isKnownProvider,
  normalizeCounts,
  zeroCounts,
  type CallUsage,
  type TokenCounts,
} from './usage-record';

type Block = Record<string, unknown>;

const isBlock = (value: unknown): value is Block =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The largest token count taken as true. No model reads or writes a billion tokens in one call; a provider that
 * says so is broken or hostile, and its number would overflow the INTEGER columns (1e300) or the cost.
 */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/**
 * A non-negative integer from a number or a numeric string (`"1,234"` accepted); anything else, and any count
 * above MAX_TOKEN_COUNT, is 0 (unknown).
 */
export function tokenCount(value: unknown): number {
  const number = typeof value === 'string' ? Number(value.replace(/,/g, '').trim()) : value;
  return typeof number === 'number' && number > 0 && number <= MAX_TOKEN_COUNT ? Math.floor(number) : 0;
}

const maxOf = (block: unknown, keys: readonly string[]): number =>
  isBlock(block) ? Math.max(0, ...keys.map((key) => tokenCount(block[key]))) : 0;
const maxOver = (blocks: unknown[], keys: readonly string[]): number =>
  Math.max(0, ...blocks.map((block) => maxOf(block, keys)));

const INPUT = [
  'input_tokens',
  'prompt_tokens',
  'promptTokenCount',
  'prompt_token_count',
  'inputTokenCount',
  'promptTokens',
];
const OUTPUT = [
  'output_tokens',
  'completion_tokens',
  'candidatesTokenCount',
  'candidates_token_count',
  'outputTokenCount',
  'completionTokens',
];
const TOTAL = ['total_tokens', 'totalTokenCount', 'total_token_count', 'totalTokens'];
const CACHE_READ = [
  'cache_read_input_tokens',
  'cache_read_tokens',
  'cached_input_tokens',
  'cachedContentTokenCount',
  'cached_content_token_count',
  'prompt_cache_hit_tokens',
  'promptCacheHitTokens',
];
const CACHE_READ_DETAIL = ['cache_read', 'cached_tokens', 'cachedTokens'];
const WRITE_5M = ['ephemeral_5m_input_tokens', '5m_input_tokens', 'ephemeral5mInputTokens'];
const WRITE_1H = ['ephemeral_1h_input_tokens', '1h_input_tokens', 'ephemeral1hInputTokens'];
const WRITE_ALL = ['cache_creation_input_tokens', 'cacheCreationInputTokens', 'input_cache_write_tokens'];
const WRITE_ALL_DETAIL = ['cache_creation', 'cache_write_tokens'];
const REASONING = ['reasoning_tokens', 'thoughtsTokenCount', 'thoughts_token_count'];
const REASONING_DETAIL = ['reasoning', 'reasoning_tokens', 'reasoningTokens'];
const TOOL_INPUT = ['toolUsePromptTokenCount', 'tool_use_prompt_token_count', 'tool_use_prompt_tokens'];
const HIT = ['prompt_cache_hit_tokens', 'promptCacheHitTokens'];
const MISS = ['prompt_cache_miss_tokens', 'promptCacheMissTokens'];
const GEMINI_OUTPUT = ['candidatesTokenCount', 'candidates_token_count'];
const ANTHROPIC_CACHE_KEYS = ['cache_creation_input_tokens', 'cache_read_input_tokens'];

/** Keys of `response_metadata` that may hold a usage block, in the contract's order. */
const META_USAGE = ['token_usage', 'tokenUsage', 'usage', 'usage_metadata', 'usageMetadata'];
/** Keys of `response_metadata` whose `usage` may be a usage block, in the contract's order. */
const META_NESTED_USAGE = ['raw_usage', 'llm_output'];

const nestedUsage = (meta: Block, key: string) => (isBlock(meta[key]) ? (meta[key] as Block).usage : undefined);

/** A block with at least one key of its own, found without building an array. */
function filled(value: unknown): value is Block {
  if (!isBlock(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

/**
 * Whether any candidate block of `message` has a key. Most streamed chunks have none (OpenAI's carry an empty
 * `usage: {}`), and this runs on every one: it leaves them without the allocations of `candidates`.
 */
function mayHoldUsage(message: Block): boolean {
  if (filled(message.usage_metadata)) return true;
  const meta = message.response_metadata;
  if (!isBlock(meta)) return false;
  for (const key of META_USAGE) if (filled(meta[key])) return true;
  for (const key of META_NESTED_USAGE) if (filled(nestedUsage(meta, key))) return true;
  return false;
}

/** Candidate usage blocks of a LangChain message, in the contract's order, with their `usage_source` names. */
function candidates(message: Block): [string, unknown][] {
  const meta = isBlock(message.response_metadata) ? message.response_metadata : {};
  return [
    ['usage_metadata', message.usage_metadata],
    ...META_USAGE.map((key): [string, unknown] => [`response_metadata.${key}`, meta[key]]),
    ...META_NESTED_USAGE.map((key): [string, unknown] => [`response_metadata.${key}.usage`, nestedUsage(meta, key)]),
  ];
}

/**
 * Counts of one usage block. Anthropic's API reports `input_tokens` without cache reads and writes, so
 * its input is the sum of the parts; DeepSeek's hit/miss counts are the cache read and the uncached part;
 * Gemini's thoughts are billed as output but reported apart, so they are folded into output (reasoning
 * then stays the "of which" part of output for every provider, and is never added to totals again).
 */
function readBlock(block: Block, source: string, provider: string): TokenCounts {
  const inputDetails = [block.input_token_details, block.prompt_tokens_details, block.input_tokens_details];
  const outputDetails = [
    block.output_token_details,
    block.completion_tokens_details,
    block.output_tokens_details,
    block.outputTokenDetails,
  ];
  const creation = [block.cache_creation, block.cacheCreation, block.input_token_details];
  const counts = zeroCounts();
  let input = maxOf(block, INPUT);
  let output = maxOf(block, OUTPUT);
  const cacheRead = Math.max(maxOf(block, CACHE_READ), maxOver(inputDetails, CACHE_READ_DETAIL));
  const write5m = maxOver(creation, WRITE_5M);
  const write1h = maxOver(creation, WRITE_1H);
  const writeAll = Math.max(maxOf(block, WRITE_ALL), maxOver(inputDetails, WRITE_ALL_DETAIL));
  const writeUnknown = Math.max(0, writeAll - write5m - write1h);
  const writes = write5m + write1h + writeUnknown;
  const reasoning = Math.max(maxOf(block, REASONING), maxOver(outputDetails, REASONING_DETAIL));
  const hit = maxOf(block, HIT);
  const miss = maxOf(block, MISS);
  // Only explicit uncached counts are taken here (DeepSeek's miss, Anthropic's input); otherwise it is
  // derived once from the merged blocks, since one block may know the cache reads that another lacks.
  let uncached = 0;
  const anthropicShape =
    !source.endsWith('usage_metadata') &&
    'input_tokens' in block &&
    !('prompt_tokens' in block) &&
    (provider === 'anthropic' || ANTHROPIC_CACHE_KEYS.some((key) => key in block));
  if (hit > 0 || miss > 0) {
    uncached = miss;
    if (input === 0) input = hit + miss;
  } else if (anthropicShape) {
    uncached = input;
    input = uncached + cacheRead + writes;
  }
  if (GEMINI_OUTPUT.some((key) => key in block)) output += maxOf(block, ['thoughtsTokenCount', 'thoughts_token_count']);
  counts.input_tokens = input;
  counts.input_uncached_tokens = uncached;
  counts.input_cache_read_tokens = Math.max(cacheRead, hit);
  counts.input_cache_write_tokens_5m = write5m;
  counts.input_cache_write_tokens_1h = write1h;
  counts.input_cache_write_tokens_unknown = writeUnknown;
  counts.output_tokens = output;
  counts.reasoning_tokens = reasoning;
  counts.tool_input_tokens = maxOf(block, TOOL_INPUT);
  counts.total_tokens = Math.max(maxOf(block, TOTAL), input + output + counts.tool_input_tokens);
  return counts;
}

const MODEL_KEYS = ['model_name', 'model', 'model_id', 'modelName'];
const PROVIDER_KEYS = ['provider', 'provider_name', 'providerName', 'llm_provider', 'vendor'];

function reportedModel(meta: Block): string | null {
  for (const key of MODEL_KEYS)
    if (typeof meta[key] === 'string' && (meta[key] as string).trim()) return (meta[key] as string).trim();
  for (const key of ['response', 'raw']) {
    const inner = meta[key];
    if (isBlock(inner) && typeof inner.model === 'string' && inner.model.trim()) return inner.model.trim();
  }
  return null;
}

/**
 * The usage of one model call from a LangChain message (`usage_metadata`, `response_metadata`): each
 * field is the largest any candidate block reports; `usage_source` is the block with the biggest total.
 * Null when no block holds a positive count.
 */
export function extractCallUsage(message: unknown, fallbackModel: string, baseUrl: string): CallUsage | null {
  // Most streamed chunks carry no usage at all: they leave here, and this small function is what a stream runs
  // hot; the reading below runs once a call and stays out of what the JIT compiles for every chunk.
  return isBlock(message) && mayHoldUsage(message) ? readCallUsage(message, fallbackModel, baseUrl) : null;
}

/** `extractCallUsage` for a message that has a candidate block with a key. */
function readCallUsage(message: Block, fallbackModel: string, baseUrl: string): CallUsage | null {
  const blocks = candidates(message).filter((candidate): candidate is [string, Block] => filled(candidate[1]));
  const meta = isBlock(message.response_metadata) ? message.response_metadata : {};
  const model = reportedModel(meta);
  const explicit = PROVIDER_KEYS.map((key) => meta[key]).find(
    (value): value is string => typeof value === 'string' && isKnownProvider(value.trim().toLowerCase()),
  );
  const provider = explicit?.trim().toLowerCase() ?? inferProvider(model ?? fallbackModel, baseUrl);
  const counts = zeroCounts();
  let usageSource = 'unknown';
  let biggest = 0;
  for (const [source, block] of blocks) {
    const read = readBlock(block, source, provider);
    if (read.total_tokens > biggest) {
      biggest = read.total_tokens;
      usageSource = source;
    }
    for (const field of Object.keys(counts) as (keyof TokenCounts)[])
      counts[field] = Math.max(counts[field], read[field]);
  }
  if (biggest === 0) return null;
  normalizeCounts(counts);
  // A part never exceeds its whole: a provider claiming more cache reads than input, or more reasoning than
  // output, would otherwise price tokens that were never sent.
  counts.input_cache_read_tokens = Math.min(counts.input_cache_read_tokens, counts.input_tokens);
  counts.reasoning_tokens = Math.min(counts.reasoning_tokens, counts.output_tokens);
  return { counts, provider, model, usage_source: usageSource };
}
