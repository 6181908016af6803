/** The console engine's offline cache: open one per signed-in staff account and core. */
export { CaseCache, type CaseCacheOptions, openCaseCache, wipeCaseCache } from './cache';
export type { ApplyStreamResult, CacheChanges, StreamEnvelope, SyncState } from './cases';
export type { CacheAccount } from './db';
export { CacheSchemaTooNewError, LATEST_VERSION } from './migrations';
export { type EnqueueInput, Outbox, type OutboxEntry, toOutboxItem } from './outbox';
export type { CasePage, LocalCaseQueryInput } from './queue';
export type { SearchResult } from './search';
