import type { EventEnvelope } from '@jiangxin/shared/events';
import type { CaseDetail, CaseSummary, OpsDirectory, OpsSyncChange } from '@jiangxin/shared/ops/cases';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import { prepared, type SqliteDb } from './db';
import { caseSearchText, orderFromCase, toMs, usersFromCase } from './derive';
import { resumeSearchIndex, suspendSearchIndex } from './search-index';

/** Case ids the cache changed, for the renderer's `cases.changed` event. */
export interface CacheChanges {
  upserted: number[];
  removed: number[];
}

export interface SyncState {
  /** The last event seq applied; the next sync asks for changes after it. */
  lastSeq: number;
  /** The newest seq the core has reported. */
  headSeq: number;
  /** A full snapshot has been paged through since the file was created or reset. */
  snapshotDone: boolean;
  lastSyncedAt: string | null;
}

/** An event of the `/ops` stream as the cache sees it: `case.*` are applied, the rest only move the cursor. */
export interface StreamEnvelope {
  seq: number;
  type: string;
  payload?: unknown;
}

export interface ApplyStreamResult extends CacheChanges {
  /** The batch did not continue the cache: catch up through the sync route from `lastSeq`. */
  gap: boolean;
  /** The cursor after the batch (what was applied before a gap stays applied). */
  lastSeq: number;
  /** Events past the old cursor that were taken in. */
  applied: number;
}

interface CaseRow {
  summary_json: string;
}

export function readSyncState(db: SqliteDb): SyncState {
  const row = prepared(
    db,
    'SELECT last_seq, head_seq, snapshot_done, last_synced_at FROM sync_state WHERE id = 1',
  ).get() as { last_seq: number; head_seq: number; snapshot_done: number; last_synced_at: string | null };
  return {
    lastSeq: row.last_seq,
    headSeq: row.head_seq,
    snapshotDone: row.snapshot_done === 1,
    lastSyncedAt: row.last_synced_at,
  };
}

/**
 * Stores a case from the stream or the sync route unless the cache already holds a newer version of it (a
 * late event must not undo what an action's answer already showed). Also records the users and the order
 * it names. True when the row changed. A case read out of band goes through `upsertAnsweredCase`.
 */
export function upsertCase(db: SqliteDb, c: CaseSummary, nowIso: string): boolean {
  const result = prepared(
    db,
    `INSERT INTO cases (id, kind, status, priority, assignee_id, sla_due_at, sla_breached, amount_fen,
       user_id, order_id, created_at, updated_at, version, summary_json, search_text)
     VALUES (@id, @kind, @status, @priority, @assigneeId, @slaDueAt, @slaBreached, @amountFen,
       @userId, @orderId, @createdAt, @updatedAt, @version, @json, @searchText)
     ON CONFLICT (id) DO UPDATE SET
       kind = excluded.kind, status = excluded.status, priority = excluded.priority,
       assignee_id = excluded.assignee_id, sla_due_at = excluded.sla_due_at,
       sla_breached = excluded.sla_breached, amount_fen = excluded.amount_fen, user_id = excluded.user_id,
       order_id = excluded.order_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
       version = excluded.version, summary_json = excluded.summary_json, search_text = excluded.search_text
     WHERE excluded.version >= cases.version`,
  ).run({
    id: c.id,
    kind: c.kind,
    status: c.status,
    priority: c.priority,
    assigneeId: c.assigneeId,
    slaDueAt: toMs(c.slaDueAt),
    slaBreached: c.slaBreached ? 1 : 0,
    amountFen: c.amountFen,
    userId: c.userId,
    orderId: c.orderId,
    createdAt: toMs(c.createdAt),
    updatedAt: toMs(c.updatedAt),
    version: c.version,
    json: JSON.stringify(c),
    searchText: caseSearchText(c),
  });
  if (result.changes === 0) return false;

  const addUser = prepared(
    db,
    `INSERT INTO users_seen (id, username, nickname, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       username = coalesce(nullif(excluded.username, ''), users_seen.username),
       nickname = coalesce(nullif(excluded.nickname, ''), users_seen.nickname),
       seen_at = excluded.seen_at`,
  );
  for (const u of usersFromCase(c)) addUser.run(u.id, u.username, u.nickname, nowIso);
  const order = orderFromCase(c);
  if (order) {
    prepared(
      db,
      `INSERT INTO orders_seen (id, order_number, status, amount_fen, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         order_number = excluded.order_number,
         status = coalesce(nullif(excluded.status, ''), orders_seen.status),
         amount_fen = coalesce(excluded.amount_fen, orders_seen.amount_fen),
         seen_at = excluded.seen_at`,
    ).run(order.id, order.orderNumber, order.status, order.amountFen, nowIso);
  }
  return true;
}

/**
 * The users and orders a sync page names, as the core lets this member see them (handle, name, masked
 * phone; order number, status, amount): what Ctrl+K finds offline. The core's word replaces what case
 * summaries suggested, except that an empty name never erases a known one. One transaction.
 */
export function putDirectory(db: SqliteDb, directory: OpsDirectory, nowIso: string): void {
  const addUser = prepared(
    db,
    `INSERT INTO users_seen (id, username, nickname, phone_masked, seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       username = coalesce(nullif(excluded.username, ''), users_seen.username),
       nickname = coalesce(nullif(excluded.nickname, ''), users_seen.nickname),
       phone_masked = excluded.phone_masked,
       seen_at = excluded.seen_at`,
  );
  const addOrder = prepared(
    db,
    `INSERT INTO orders_seen (id, order_number, status, amount_fen, seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       order_number = excluded.order_number, status = excluded.status, amount_fen = excluded.amount_fen,
       seen_at = excluded.seen_at`,
  );
  db.transaction(() => {
    for (const u of directory.users) addUser.run(u.id, u.username, u.nickname, u.phoneMasked, nowIso);
    for (const o of directory.orders) addOrder.run(o.id, o.orderNumber, o.status, o.amountFen, nowIso);
  })();
}

/**
 * Whether any of these cases names a user or an order the core has not described yet (a user without a
 * username, an order without a status): cases that arrived live, which the sync route's directory has
 * not covered.
 */
export function lacksDirectory(db: SqliteDb, caseIds: readonly number[]): boolean {
  if (!caseIds.length) return false;
  return (
    prepared(
      db,
      `SELECT 1 FROM cases c
         LEFT JOIN users_seen u ON u.id = c.user_id
         LEFT JOIN orders_seen o ON o.id = c.order_id
       WHERE c.id IN (SELECT value FROM json_each(?))
         AND ((c.user_id IS NOT NULL AND coalesce(u.username, '') = '')
           OR (c.order_id IS NOT NULL AND coalesce(o.status, '') = ''))
       LIMIT 1`,
    ).get(JSON.stringify(caseIds)) !== undefined
  );
}

/**
 * An action's answer or a case screen: a case as the core held it at some moment, arriving in no seq
 * order. Stored like `upsertCase`, unless the stream already removed the case: read before its removal
 * and arriving after it, it must not bring the case back (only a later upsert in the stream does).
 */
export function upsertAnsweredCase(db: SqliteDb, c: CaseSummary, nowIso: string): boolean {
  if (wasRemoved(db, c.id)) return false;
  return upsertCase(db, c, nowIso);
}

function wasRemoved(db: SqliteDb, caseId: number): boolean {
  return prepared(db, 'SELECT 1 FROM removed_cases WHERE id = ?').get(caseId) !== undefined;
}

/**
 * Upserts from the stream or the sync route, in one transaction: a case that comes back after its
 * removal has the removal forgotten (its answers count again). Removals are rare, so a transaction that
 * starts with none remembered skips that per row (a snapshot writes 100k rows).
 */
function sequencedWriter(db: SqliteDb, nowIso: string) {
  let removals = prepared(db, 'SELECT 1 FROM removed_cases LIMIT 1').get() !== undefined;
  return {
    upsert(c: CaseSummary): boolean {
      if (removals) prepared(db, 'DELETE FROM removed_cases WHERE id = ?').run(c.id);
      return upsertCase(db, c, nowIso);
    },
    remove(caseId: number, seq: number): boolean {
      removals = true;
      return removeCase(db, caseId, seq);
    },
  };
}

/**
 * The stream or the sync route removed a case at `seq`: drops it with its cached detail and chat
 * (foreign-key cascade) and remembers the removal (see `upsertAnsweredCase`). True when it was cached.
 */
function removeCase(db: SqliteDb, caseId: number, seq: number): boolean {
  prepared(
    db,
    `INSERT INTO removed_cases (id, seq) VALUES (?, ?)
     ON CONFLICT (id) DO UPDATE SET seq = max(removed_cases.seq, excluded.seq)`,
  ).run(caseId, seq);
  return prepared(db, 'DELETE FROM cases WHERE id = ?').run(caseId).changes > 0;
}

function recordChange(changes: { up: Set<number>; gone: Set<number> }, id: number, op: 'up' | 'gone') {
  changes[op === 'up' ? 'gone' : 'up'].delete(id);
  changes[op].add(id);
}

/**
 * Applies one page of `GET /ops/sync` in one transaction. Changes at or below the stored `last_seq` were
 * applied before and are skipped, so replaying a page (a retry after a timeout) changes nothing; `last_seq`
 * only moves forward, to `nextSeq`. `page.hasMore === false` marks the snapshot complete (and, for a
 * snapshot, rebuilds the search index: until then search does not see the snapshot's rows).
 */
export function applyChanges(
  db: SqliteDb,
  changes: readonly OpsSyncChange[],
  nextSeq: number,
  page: { headSeq?: number; hasMore?: boolean } | undefined,
  nowIso: string,
): CacheChanges {
  return db.transaction(() => {
    const state = readSyncState(db);
    // A snapshot writes its rows without the search index's row-by-row upkeep and rebuilds it once with
    // its last page (search-index.ts).
    if (!state.snapshotDone) suspendSearchIndex(db);
    const done = { up: new Set<number>(), gone: new Set<number>() };
    const write = sequencedWriter(db, nowIso);
    let lastSeq = state.lastSeq;
    const ordered = [...changes].sort((a, b) => a.seq - b.seq);
    for (const change of ordered) {
      if (change.seq <= lastSeq) continue;
      lastSeq = change.seq;
      if (change.op === 'upsert') {
        if (write.upsert(change.case)) recordChange(done, change.case.id, 'up');
      } else if (write.remove(change.caseId, change.seq)) {
        recordChange(done, change.caseId, 'gone');
      }
    }
    lastSeq = Math.max(lastSeq, nextSeq);
    prepared(
      db,
      `UPDATE sync_state SET last_seq = @lastSeq, head_seq = max(head_seq, @headSeq, @lastSeq),
         snapshot_done = CASE WHEN @finished THEN 1 ELSE snapshot_done END, last_synced_at = @now
       WHERE id = 1`,
    ).run({ lastSeq, headSeq: page?.headSeq ?? 0, finished: page?.hasMore === false ? 1 : 0, now: nowIso });
    if (!state.snapshotDone && page?.hasMore === false) resumeSearchIndex(db);
    return { upserted: [...done.up], removed: [...done.gone] };
  })();
}

/**
 * Applies a batch of live events from one `/ops` connection, in one transaction. The connection is
 * gapless by contract (replay after the handshake's `lastSeq`, then `ready`, then live; scoped events
 * only, so seqs have holes for kinds this person may not see), so `prevSeq` — the seq the connection
 * delivered just before `events[0]` (or the `lastSeq` it was opened with) — tells whether the batch
 * continues the cache: it does when `prevSeq <= last_seq`. When it does not (the cache was reset, or the
 * connection belongs to an older cursor), nothing after the break is applied and `gap` is returned: the
 * caller catches up through the sync route. Events at or below `last_seq` were applied already and are
 * skipped; events other than `case.*` only move the cursor.
 */
export function applyStream(
  db: SqliteDb,
  batch: { prevSeq: number; events: readonly StreamEnvelope[]; headSeq?: number },
  nowIso: string,
): ApplyStreamResult {
  return db.transaction((): ApplyStreamResult => {
    let { lastSeq } = readSyncState(db);
    const done = { up: new Set<number>(), gone: new Set<number>() };
    const write = sequencedWriter(db, nowIso);
    let prev = batch.prevSeq;
    let gap = false;
    let applied = 0;
    for (const event of batch.events) {
      if (event.seq <= lastSeq) {
        prev = event.seq;
        continue;
      }
      if (prev > lastSeq) {
        gap = true;
        break;
      }
      if (event.type === 'case.upserted') {
        const c = (event as EventEnvelope<'case.upserted'>).payload;
        if (write.upsert(c)) recordChange(done, c.id, 'up');
      } else if (event.type === 'case.removed') {
        const { caseId } = (event as EventEnvelope<'case.removed'>).payload;
        if (write.remove(caseId, event.seq)) recordChange(done, caseId, 'gone');
      }
      applied += 1;
      lastSeq = event.seq;
      prev = event.seq;
    }
    prepared(
      db,
      `UPDATE sync_state SET last_seq = @lastSeq, head_seq = max(head_seq, @lastSeq, @headSeq),
         last_synced_at = @now WHERE id = 1`,
    ).run({ lastSeq, headSeq: batch.headSeq ?? 0, now: nowIso });
    return { gap, lastSeq, applied, upserted: [...done.up], removed: [...done.gone] };
  })();
}

/**
 * Moves the cursor to `seq` without an event (the `ready` message after a replay: everything up to it
 * that this person may see has been delivered). Same continuity rule as `applyStream`.
 */
export function advanceTo(db: SqliteDb, prevSeq: number, seq: number, nowIso: string): { gap: boolean } {
  return applyStream(db, { prevSeq, events: [{ seq, type: 'stream.mark' } as StreamEnvelope] }, nowIso);
}

/**
 * For `sync.resync`: forgets every case and the sync position, so the next sync pages a fresh snapshot.
 * The removals seen stay remembered: an answer read before one may still be on its way.
 */
export function resetSync(db: SqliteDb): void {
  db.transaction(() => {
    db.exec('DELETE FROM cases');
    db.exec(
      'UPDATE sync_state SET last_seq = 0, head_seq = 0, snapshot_done = 0, last_synced_at = NULL WHERE id = 1',
    );
  })();
}

export function getCase(db: SqliteDb, id: number): CaseSummary | null {
  const row = prepared(db, 'SELECT summary_json FROM cases WHERE id = ?').get(id) as CaseRow | undefined;
  return row ? (JSON.parse(row.summary_json) as CaseSummary) : null;
}

/**
 * Stores a case screen's detail; its summary also refreshes the queue row (unless the cache has newer).
 * Nothing is stored for a case the stream removed since (`upsertAnsweredCase`).
 */
export function putDetail(db: SqliteDb, detail: CaseDetail, nowIso: string): void {
  db.transaction(() => {
    if (wasRemoved(db, detail.case.id)) return;
    upsertCase(db, detail.case, nowIso);
    prepared(
      db,
      `INSERT INTO case_details (case_id, detail_json, cached_at) VALUES (?, ?, ?)
       ON CONFLICT (case_id) DO UPDATE SET detail_json = excluded.detail_json, cached_at = excluded.cached_at`,
    ).run(detail.case.id, JSON.stringify(detail), nowIso);
  })();
}

/**
 * The cached case screen. `stale` when the queue row has moved past the version the detail was read at
 * (an event arrived since), so the screen knows to refetch when online.
 */
export function getDetail(
  db: SqliteDb,
  caseId: number,
): { detail: CaseDetail | null; cachedAt: string | null; stale: boolean } {
  const row = prepared(
    db,
    `SELECT d.detail_json, d.cached_at, c.version FROM case_details d JOIN cases c ON c.id = d.case_id
     WHERE d.case_id = ?`,
  ).get(caseId) as { detail_json: string; cached_at: string; version: number } | undefined;
  if (!row) return { detail: null, cachedAt: null, stale: true };
  const detail = JSON.parse(row.detail_json) as CaseDetail;
  return { detail, cachedAt: row.cached_at, stale: detail.case.version < row.version };
}

/**
 * Stores support chat messages of a cached case (upsert by message id). Messages of a case the cache does
 * not hold are not stored (they would have nothing to hang on). Returns how many were stored.
 */
export function putChatMessages(
  db: SqliteDb,
  caseId: number,
  messages: readonly StaffSupportMessage[],
): number {
  return db.transaction(() => {
    if (!prepared(db, 'SELECT 1 FROM cases WHERE id = ?').get(caseId)) return 0;
    const put = prepared(
      db,
      `INSERT INTO chat_messages (id, case_id, message_json) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET case_id = excluded.case_id, message_json = excluded.message_json`,
    );
    for (const m of messages) put.run(m.id, caseId, JSON.stringify(m));
    return messages.length;
  })();
}

/** The newest `limit` messages before message `before` (all when omitted), oldest first as a chat shows them. */
export function listChatMessages(
  db: SqliteDb,
  caseId: number,
  opts: { before?: number; limit?: number } = {},
): StaffSupportMessage[] {
  const rows = prepared(
    db,
    `SELECT message_json FROM chat_messages WHERE case_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
  ).all(caseId, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 50) as { message_json: string }[];
  return rows.reverse().map((r) => JSON.parse(r.message_json) as StaffSupportMessage);
}
