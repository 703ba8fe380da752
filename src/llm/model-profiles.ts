// Provider profiles resolved for use: the LLM_* variables' `default` profile and the config's, keys read from the environment.
import type { LlmSettings, ModelPrice, RuntimeConfig } from '../config';
import { ENV_PROFILE_ID, ENV_REFERENCE } from '../config';

type Env = Record<string, string | undefined>;

/** One endpoint ready to call, or marked not runnable with the reason (a missing key, an unset variable). */
export interface ModelProfile {
  id: string;
  baseUrl: string;
  model: string;
  /** The key itself: never shown, never stored. Empty when the endpoint takes none. */
  apiKey: string;
  /** The variable the key comes from (null when the profile names none). */
  apiKeyEnv: string | null;
  /** Whether that variable holds a value. */
  apiKeySet: boolean;
  /** Extra request headers, `${ENV:NAME}` already replaced. */
  headers: Record<string, string>;
  /** Overrides `llm_runtime.timeout_seconds` for this profile. */
  timeoutSeconds: number | null;
  pricing: ModelPrice | null;
  /** `env`: the LLM_* (or DEEPSEEK_*) variables; `config`: `llm_profiles` of the global config. */
  source: 'env' | 'config';
  runnable: boolean;
  /** Why it is not runnable (null when it is). */
  problem: string | null;
}

/**
 * The `default` profile as the LLM_* / DEEPSEEK_* variables configure the model (DeepSeek's URL and model
 * fill in for DEEPSEEK_*; a base URL without key is a local server). Not runnable when nothing is set.
 */
export function envProfile(settings: LlmSettings): ModelProfile {
  const deepseek = settings.source === 'DEEPSEEK';
  const baseUrl = settings.baseUrl || (deepseek ? 'https://api.deepseek.com' : 'https://api.openai.com/v1');
  const model = settings.model || (deepseek ? 'deepseek-chat' : '');
  const runnable = settings.source !== 'none' && model !== '' && (settings.apiKey !== '' || settings.baseUrl !== '');
  return {
    id: ENV_PROFILE_ID,
    baseUrl,
    model,
    apiKey: settings.apiKey || 'not-needed',
    apiKeyEnv: deepseek ? 'DEEPSEEK_API_KEY' : 'LLM_API_KEY',
    apiKeySet: settings.apiKey !== '',
    headers: {},
    timeoutSeconds: null,
    pricing: null,
    source: 'env',
    runnable,
    problem: runnable
      ? null
      : 'No chat model is configured: set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY (or DEEPSEEK_API_KEY)',
  };
}

interface EndpointConfig {
  base_url: string;
  model: string;
  api_key_env?: string;
  headers?: Record<string, string>;
  timeout_seconds?: number;
  pricing?: ModelPrice;
}

/** A config profile with its key and header variables read from `env`. */
export function configProfile(id: string, profile: EndpointConfig, env: Env): ModelProfile {
  const problems: string[] = [];
  const apiKey = profile.api_key_env ? (env[profile.api_key_env]?.trim() ?? '') : '';
  if (profile.api_key_env && !apiKey) problems.push(`${profile.api_key_env} is empty`);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(profile.headers ?? {})) {
    headers[name] = template.replace(ENV_REFERENCE, (_match, variable: string) => {
      const value = env[variable]?.trim() ?? '';
      if (!value) problems.push(`${variable} (header ${name}) is empty`);
      return value;
    });
  }
  return {
    id,
    baseUrl: profile.base_url,
    model: profile.model,
    // The OpenAI client refuses an empty key; a keyless local server ignores whatever is sent.
    apiKey: apiKey || 'not-needed',
    apiKeyEnv: profile.api_key_env ?? null,
    apiKeySet: apiKey !== '',
    headers,
    timeoutSeconds: profile.timeout_seconds ?? null,
    pricing: profile.pricing ?? null,
    source: 'config',
    runnable: problems.length === 0,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/** Every chat profile by id: `default` from the variables, then the config's. */
export function chatProfiles(config: RuntimeConfig, settings: LlmSettings, env: Env): Map<string, ModelProfile> {
  const profiles = new Map<string, ModelProfile>([[ENV_PROFILE_ID, envProfile(settings)]]);
  for (const [id, profile] of Object.entries(config.llm_profiles)) profiles.set(id, configProfile(id, profile, env));
  return profiles;
}

/** Prices for usage: each profile's `pricing` under its model name, then `usage.pricing_overrides` over them. */
export function pricingOverrides(config: RuntimeConfig): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  for (const profile of Object.values(config.llm_profiles))
    if (profile.pricing) prices[profile.model.toLowerCase()] = profile.pricing;
  return { ...prices, ...config.usage.pricing_overrides };
}
