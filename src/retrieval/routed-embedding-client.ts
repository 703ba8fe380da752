// The server's embedding client over `embedding_route`: profiles in order, each behind its breaker, one vector space.
import type { EmbeddingSettings, RuntimeConfig } from '../config';
import { ENV_PROFILE_ID } from '../config';
import { configProfile, type BreakerBoard } from '../llm';
import {
  createEmbeddingClient,
  EmbeddingError,
  embeddingErrorText,
  type EmbeddingClient,
  type EmbeddingClientOptions,
} from './embedding-client';

export interface RoutedEmbeddingDeps {
  /** The EMBEDDING_* variables: the profile `default`. */
  settings: EmbeddingSettings;
  /** Where key and header variables are read. */
  env: Record<string, string | undefined>;
  /** The global config; read once, on first use (the route, like the EMBEDDING_* variables, applies from start). */
  config(): RuntimeConfig;
  /** Breakers of the embedding profiles (a board of their own: ids may repeat chat profile ids). */
  breakers: BreakerBoard;
  options?: EmbeddingClientOptions;
}

/**
 * The EMBEDDING_* client while the route's default is `default`; otherwise the route's profiles, all
 * serving one model at one length (config validation sees to that), so every vector shares one space
 * and the index identity is that model. A failure the route falls back on (after the client's own
 * retries) moves to the next profile; a profile that is paused or has an empty key variable is skipped.
 */
export function createRoutedEmbeddingClient(deps: RoutedEmbeddingDeps): EmbeddingClient {
  let resolved: EmbeddingClient | undefined;
  const current = () => {
    resolved ??= routedClient(deps, deps.config());
    return resolved;
  };
  return {
    get identity() {
      return current().identity;
    },
    embed: (texts) => current().embed(texts),
  };
}

function routedClient(deps: RoutedEmbeddingDeps, config: RuntimeConfig): EmbeddingClient {
  const route = config.embedding_route;
  if (route.default === ENV_PROFILE_ID) return createEmbeddingClient(deps.settings, deps.options);
  const candidates = [route.default, ...route.fallbacks].flatMap((id) => {
    const declared = config.embedding_profiles[id];
    if (!declared) return [];
    const profile = configProfile(id, declared, deps.env);
    const client = createEmbeddingClient(
      { ...deps.settings, provider: 'openai', baseUrl: profile.baseUrl, apiKey: profile.apiKey, model: profile.model },
      {
        ...deps.options,
        headers: profile.headers,
        dimensions: declared.dimensions,
        ...(profile.timeoutSeconds ? { timeoutMs: profile.timeoutSeconds * 1000 } : {}),
      },
    );
    return [{ profile, client }];
  });
  const { breakers } = deps;
  return {
    identity: { provider: 'openai', model: config.embedding_profiles[route.default]!.model },
    async embed(texts) {
      let last: unknown = new EmbeddingError('no embedding profile can run now (paused or key variable empty)', true);
      for (const { profile, client } of candidates) {
        if (!profile.runnable || breakers.admit(profile.id) === 'skip') continue;
        try {
          const vectors = await client.embed(texts);
          breakers.success(profile.id);
          return vectors;
        } catch (error) {
          last = error;
          const failure = error instanceof EmbeddingError ? error.failure : 'other';
          // `other` (a refused request, a vector of the wrong length) proves the provider answered: not its outage.
          if (failure === 'other') {
            breakers.success(profile.id);
            throw error;
          }
          breakers.failure(profile.id, failure, embeddingErrorText(error));
          if (!route.fallback_on[failure]) throw error;
        }
      }
      throw last;
    },
  };
}
