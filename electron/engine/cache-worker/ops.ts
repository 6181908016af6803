import type { BridgeProblem } from '@jiangxin/shared/bridge';
import type { CaseDetail, CaseSummary, OpsDirectory, OpsSyncChange } from '@jiangxin/shared/ops/cases';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import type { CaseCache } from '../cache/cache';
import type { StreamEnvelope } from '../cache/cases';
import type { EnqueueInput } from '../cache/outbox';
import type { LocalCaseQueryInput } from '../cache/queue';

/**
 * Everything the engine asks of its cache, by name. The worker thread runs these against the real
 * `CaseCache`; the engine's thread holds a `RemoteCache` whose methods post the name and arguments and
 * await the answer. Arguments and results are plain data (structured clone).
 */
export const CACHE_OPS = {
  applyChanges: (
    c: CaseCache,
    changes: readonly OpsSyncChange[],
    nextSeq: number,
    page?: { headSeq?: number; hasMore?: boolean },
  ) => c.applyChanges(changes, nextSeq, page),
  applyStream: (
    c: CaseCache,
    batch: { prevSeq: number; events: readonly StreamEnvelope[]; headSeq?: number },
  ) => c.applyStream(batch),
  advanceTo: (c: CaseCache, prevSeq: number, seq: number) => c.advanceTo(prevSeq, seq),
  syncState: (c: CaseCache) => c.syncState(),
  resetSync: (c: CaseCache) => c.resetSync(),
  getCase: (c: CaseCache, id: number) => c.getCase(id),
  putCase: (c: CaseCache, summary: CaseSummary) => c.putCase(summary),
  listCases: (c: CaseCache, query: LocalCaseQueryInput) => c.listCases(query),
  search: (c: CaseCache, q: string, limit?: number) => c.search(q, limit),
  putDirectory: (c: CaseCache, directory: OpsDirectory) => c.putDirectory(directory),
  lacksDirectory: (c: CaseCache, caseIds: readonly number[]) => c.lacksDirectory(caseIds),
  putDetail: (c: CaseCache, detail: CaseDetail) => c.putDetail(detail),
  getDetail: (c: CaseCache, caseId: number) => c.getDetail(caseId),
  putChatMessages: (c: CaseCache, caseId: number, messages: readonly StaffSupportMessage[]) =>
    c.putChatMessages(caseId, messages),
  listChatMessages: (c: CaseCache, caseId: number, opts?: { before?: number; limit?: number }) =>
    c.listChatMessages(caseId, opts),
  fingerprint: (c: CaseCache) => c.fingerprint(),
  assignedOpenCount: (c: CaseCache) => c.assignedOpenCount(),
  heldAmong: (c: CaseCache, ids: readonly number[]) => c.heldAmong(ids),
  outboxEnqueue: (c: CaseCache, input: EnqueueInput) => c.outbox.enqueue(input),
  outboxGet: (c: CaseCache, id: number) => c.outbox.get(id),
  outboxList: (c: CaseCache) => c.outbox.list(),
  outboxPending: (c: CaseCache) => c.outbox.pending(),
  outboxMarkSending: (c: CaseCache, id: number, args?: unknown) => c.outbox.markSending(id, args),
  outboxMarkFailed: (c: CaseCache, id: number, problem: BridgeProblem) => c.outbox.markFailed(id, problem),
  outboxRemove: (c: CaseCache, id: number) => c.outbox.remove(id),
  outboxRetry: (c: CaseCache, id: number) => c.outbox.retry(id),
  outboxDismiss: (c: CaseCache, id: number) => c.outbox.dismiss(id),
} as const;

export type CacheOps = typeof CACHE_OPS;
export type CacheOpName = keyof CacheOps;

type Rest<F> = F extends (c: CaseCache, ...args: infer A) => unknown ? A : never;

/** The cache as the engine's thread sees it: the same operations, answered asynchronously. */
export type RemoteCacheOps = {
  [K in CacheOpName]: (...args: Rest<CacheOps[K]>) => Promise<ReturnType<CacheOps[K]>>;
};

/** Engine thread → worker. */
export type CacheRequest =
  | { id: number; op: CacheOpName; args: unknown[] }
  | { id: number; op: '$close' | '$wipe'; args: [] };

/** Worker → engine thread. */
export type CacheResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };
