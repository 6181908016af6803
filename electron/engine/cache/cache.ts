import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseDetail, CaseSummary, OpsDirectory, OpsSyncChange } from '@jiangxin/shared/ops/cases';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import {
  type ApplyStreamResult,
  advanceTo,
  applyChanges,
  applyStream,
  type CacheChanges,
  getCase,
  getDetail,
  lacksDirectory,
  listChatMessages,
  putChatMessages,
  putDetail,
  putDirectory,
  readSyncState,
  resetSync,
  type StreamEnvelope,
  type SyncState,
  upsertAnsweredCase,
} from './cases';
import {
  type CacheAccount,
  cacheFileName,
  deleteCacheFiles,
  openDatabase,
  prepared,
  type SqliteDb,
} from './db';
import { migrate } from './migrations';
import { Outbox } from './outbox';
import { type CasePage, type LocalCaseQueryInput, listCases } from './queue';
import { type SearchResult, search } from './search';

const myWork = WORKSPACES.find((w) => w.id === 'mine');
/** My work's opening query: its kinds, its default statuses and its fixed assignee (me). */
const MY_WORK_QUERY: LocalCaseQueryInput = {
  kinds: [...(myWork?.caseKinds ?? [])],
  statuses: [...(myWork?.defaultFilters?.statuses ?? ['open', 'waiting'])],
  assignee: myWork?.fixedFilters?.assignee ?? 'me',
};

export interface CaseCacheOptions {
  /** The console's data directory (Electron's userData, or the web host's data dir). */
  dir: string;
  account: CacheAccount;
  /** Clock for timestamps the cache writes (tests pin it). */
  now?: () => Date;
}

/**
 * The console's offline copy of the case queue for one staff account on one core: cases kept current from
 * the sync route and the live stream, case screens and chats as last seen, Chinese search, and the durable
 * outbox of actions taken offline. Synchronous (better-sqlite3): run it off the UI-critical thread.
 */
export class CaseCache {
  readonly outbox: Outbox;
  private closed = false;

  constructor(
    private readonly db: SqliteDb,
    readonly path: string,
    readonly account: CacheAccount,
    private readonly now: () => Date,
  ) {
    this.outbox = new Outbox(db, now);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** One page of `GET /ops/sync`, in one transaction; see `applyChanges` in cases.ts for the seq rules. */
  applyChanges(
    changes: readonly OpsSyncChange[],
    nextSeq: number,
    page?: { headSeq?: number; hasMore?: boolean },
  ): CacheChanges {
    return applyChanges(this.db, changes, nextSeq, page, this.stamp());
  }

  /** A batch of live events from one connection; see `applyStream` in cases.ts for the continuity rule. */
  applyStream(batch: {
    prevSeq: number;
    events: readonly StreamEnvelope[];
    headSeq?: number;
  }): ApplyStreamResult {
    return applyStream(this.db, batch, this.stamp());
  }

  /** The connection's `ready` mark: everything up to `seq` has been delivered. */
  advanceTo(prevSeq: number, seq: number): { gap: boolean } {
    return advanceTo(this.db, prevSeq, seq, this.stamp());
  }

  syncState(): SyncState {
    return readSyncState(this.db);
  }

  /** Drops every cached case and the sync position (the outbox stays), for a full re-sync. */
  resetSync(): void {
    resetSync(this.db);
  }

  getCase(id: number): CaseSummary | null {
    return getCase(this.db, id);
  }

  /**
   * A case as an action's answer returned it (kept unless the cache already has a newer version, or the
   * stream has removed the case since).
   */
  putCase(summary: CaseSummary): CacheChanges {
    const changed = upsertAnsweredCase(this.db, summary, this.stamp());
    return { upserted: changed ? [summary.id] : [], removed: [] };
  }

  listCases(query: LocalCaseQueryInput): CasePage {
    return listCases(this.db, query, this.account.userId);
  }

  search(q: string, limit = 20): SearchResult {
    return search(this.db, q, limit);
  }

  /** The users and orders a sync page names (for search), as the core lets this member see them. */
  putDirectory(directory: OpsDirectory): void {
    putDirectory(this.db, directory, this.stamp());
  }

  /** Whether these cases name a user or an order the core's directory has not described yet. */
  lacksDirectory(caseIds: readonly number[]): boolean {
    return lacksDirectory(this.db, caseIds);
  }

  putDetail(detail: CaseDetail): void {
    putDetail(this.db, detail, this.stamp());
  }

  getDetail(caseId: number): { detail: CaseDetail | null; cachedAt: string | null; stale: boolean } {
    return getDetail(this.db, caseId);
  }

  putChatMessages(caseId: number, messages: readonly StaffSupportMessage[]): number {
    return putChatMessages(this.db, caseId, messages);
  }

  listChatMessages(caseId: number, opts?: { before?: number; limit?: number }): StaffSupportMessage[] {
    return listChatMessages(this.db, caseId, opts);
  }

  /**
   * A digest of every cached case (id, version, status, holder, in id order): two caches, or a cache and a
   * fresh snapshot of the core, hold the same queue exactly when their fingerprints match.
   */
  fingerprint(): { count: number; sha256: string } {
    const hash = createHash('sha256');
    let count = 0;
    for (const row of prepared(
      this.db,
      'SELECT id, version, status, assignee_id FROM cases ORDER BY id',
    ).iterate()) {
      const r = row as { id: number; version: number; status: string; assignee_id: number | null };
      hash.update(`${r.id}:${r.version}:${r.status}:${r.assignee_id ?? ''}\n`);
      count += 1;
    }
    return { count, sha256: hash.digest('hex') };
  }

  /** Which of `ids` are open cases held by this account (one query, however many ids). */
  heldAmong(ids: readonly number[]): { id: number; title: string }[] {
    if (!ids.length) return [];
    return prepared(
      this.db,
      `SELECT c.id, json_extract(c.summary_json, '$.title') AS title
       FROM json_each(?) j JOIN cases c ON c.id = j.value
       WHERE c.assignee_id = ? AND c.status <> 'resolved'`,
    ).all(JSON.stringify(ids), this.account.userId) as { id: number; title: string }[];
  }

  /**
   * The header's 我的工单, the tray badge and the window title: what My work (我的待办) lists when it
   * opens — the same query over the same kinds (chats are answered in their own workspace and counted as
   * unread messages, not here), so the number and the list always agree.
   */
  assignedOpenCount(): number {
    return listCases(this.db, { ...MY_WORK_QUERY, limit: 1 }, this.account.userId).total;
  }

  /** Idempotent. Folds the WAL back into the file and refreshes the planner's statistics first. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** Logout or account switch: closes the cache and deletes its file, outbox included. */
  wipe(): void {
    this.close();
    deleteCacheFiles(this.path);
  }
}

/**
 * Opens the cache file of this account on this core, creating or upgrading it. A file written by a newer
 * console is refused with `CacheSchemaTooNewError` (call `wipeCaseCache` and sync again).
 */
export function openCaseCache(opts: CaseCacheOptions): CaseCache {
  const fileName = cacheFileName(opts.account);
  const db = openDatabase(opts.dir, fileName);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new CaseCache(db, join(opts.dir, fileName), opts.account, opts.now ?? (() => new Date()));
}

/** Deletes an account's cache file without opening it (e.g. one refused as too new). */
export function wipeCaseCache(opts: Pick<CaseCacheOptions, 'dir' | 'account'>): void {
  deleteCacheFiles(join(opts.dir, cacheFileName(opts.account)));
}
