// Public surface of retrieval: the service, the searcher other domains use, the index port, embeddings and their health.
export { createRetrievalService, type RetrievalService, type RetrievalServiceDeps } from './retrieval.service';
export type { RetrievalDomain, RetrievalHit, RetrievalSearcher } from './retrieval-search';
export type { BulkWrites, IndexStorage, OpenIndexStorage, RetrievalStore } from './retrieval-store.port';
export type { RetrievalStatus } from './retrieval-status';
export type { SearchAnswer, SearchPending } from './capped-search';
export { createEmbeddingClient, type EmbeddingClient, type EmbeddingIdentity } from './embedding-client';
export { createEmbeddingHealth, type EmbeddingHealth } from './embedding-health';
export type { SharedEmbeddingCache } from './embedding-cache.port';
export { withSharedEmbeddingCache } from './shared-cache-client';
export type { FusionMethod } from './hybrid-search';
export { createRoutedEmbeddingClient, type RoutedEmbeddingDeps } from './routed-embedding-client';
