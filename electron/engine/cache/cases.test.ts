import { existsSync, readdirSync } from 'node:fs';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { EventEnvelope } from '@jiangxin/shared/events';
import type { CaseDetail } from '@jiangxin/shared/ops/cases';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import { describe, expect, it } from 'vitest';
import type { StreamEnvelope } from './cases';
import { cacheFileName, openDatabase } from './db';
import { ACCOUNT, at, makeCase, makeDispute, makePayout, remove, upsert, useTempDir } from './testing';

const tmp = useTempDir();

const upserted = (seq: number, c: ReturnType<typeof makeCase>): StreamEnvelope & EventEnvelope => ({
  seq,
  type: 'case.upserted',
  aggregateType: 'case',
  aggregateId: c.id,
  occurredAt: c.updatedAt,
  payload: c,
});
const removed = (seq: number, caseId: number): StreamEnvelope & EventEnvelope => ({
  seq,
  type: 'case.removed',
  aggregateType: 'case',
  aggregateId: caseId,
  occurredAt: at(0),
  payload: { caseId, kind: 'listing_review' },
});

const message = (id: number, content: string): StaffSupportMessage => ({
  id,
  conversationId: 8,
  senderKind: 'user',
  sender: { id: 501, nickname: '陈女士' },
  content,
  files: [],
  createdAt: at(id),
  isNote: false,
  cannedReplyId: null,
});

describe('opening the cache file', () => {
  it('keeps one file per staff account and core, in WAL mode with foreign keys on', () => {
    const a = tmp.open();
    const otherUser = tmp.open({ account: { ...ACCOUNT, userId: 8 } });
    const otherCore = tmp.open({ account: { ...ACCOUNT, coreUrl: 'https://ops2.jiangxin.test' } });
    const sameCore = tmp.open({ account: { ...ACCOUNT, coreUrl: 'HTTPS://OPS.jiangxin.test/' } });
    expect(new Set([a.path, otherUser.path, otherCore.path]).size).toBe(3);
    expect(sameCore.path).toBe(a.path);
    expect(a.path).toMatch(/cases-[0-9a-f]{16}-7\.sqlite$/);
    sameCore.close();

    a.applyChanges([upsert(1, makeCase(1))], 1);
    expect(otherUser.getCase(1)).toBeNull();
    expect(otherCore.getCase(1)).toBeNull();

    const db = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('wipe() deletes the file and its WAL side files; close() keeps them', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1))], 1);
    cache.close();
    expect(existsSync(cache.path)).toBe(true);
    const reopened = tmp.open();
    expect(reopened.getCase(1)?.id).toBe(1);
    reopened.wipe();
    expect(readdirSync(tmp.dir)).toEqual([]);
    expect(tmp.open().getCase(1)).toBeNull();
  });
});

describe('applying sync pages', () => {
  it('upserts and removes in one page, reporting which cases changed', () => {
    const cache = tmp.open();
    expect(cache.applyChanges([upsert(1, makeCase(1)), upsert(2, makeCase(2))], 2)).toEqual({
      upserted: [1, 2],
      removed: [],
    });
    const result = cache.applyChanges(
      [upsert(3, makeCase(1, { status: 'waiting', version: 2 })), remove(4, 2), remove(5, 99)],
      5,
      { headSeq: 9, hasMore: true },
    );
    // 99 was never cached, so nothing about it changed.
    expect(result).toEqual({ upserted: [1], removed: [2] });
    expect(cache.getCase(1)?.status).toBe('waiting');
    expect(cache.getCase(2)).toBeNull();
    expect(cache.syncState()).toMatchObject({ lastSeq: 5, headSeq: 9, snapshotDone: false });
  });

  it('replaying a page changes nothing, and last_seq never moves backwards', () => {
    const cache = tmp.open();
    const page = [upsert(11, makeCase(1, { title: '第一版标题' })), remove(12, 2)];
    cache.applyChanges([upsert(10, makeCase(2))], 10);
    cache.applyChanges(page, 12);
    // Later news about case 1, then the old page again (a retry whose first answer was slow).
    cache.applyChanges([upsert(13, makeCase(1, { title: '第二版标题', version: 2 }))], 13);
    expect(cache.applyChanges(page, 12)).toEqual({ upserted: [], removed: [] });
    expect(cache.getCase(1)?.title).toBe('第二版标题');
    expect(cache.syncState().lastSeq).toBe(13);
    // An older nextSeq (an empty page from a lagging replica) does not rewind.
    cache.applyChanges([], 7);
    expect(cache.syncState().lastSeq).toBe(13);
  });

  it('ignores a change at or below last_seq even inside a newer page, and applies the rest in seq order', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(5, makeCase(1, { title: '旧' }))], 5);
    const result = cache.applyChanges(
      [upsert(7, makeCase(2, { title: '后' })), upsert(5, makeCase(1, { title: '重放' })), remove(6, 2)],
      7,
    );
    expect(cache.getCase(1)?.title).toBe('旧');
    // Sorted by seq: remove(6) then upsert(7), so case 2 ends up present.
    expect(cache.getCase(2)?.title).toBe('后');
    expect(result).toEqual({ upserted: [2], removed: [] });
  });

  it('marks the snapshot done on the last page', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1))], 1, { headSeq: 2, hasMore: true });
    expect(cache.syncState().snapshotDone).toBe(false);
    cache.applyChanges([upsert(2, makeCase(2))], 2, { headSeq: 2, hasMore: false });
    expect(cache.syncState()).toMatchObject({ lastSeq: 2, headSeq: 2, snapshotDone: true });
    expect(cache.syncState().lastSyncedAt).not.toBeNull();
  });

  it('keeps a newer version already cached (from an action answer) when an older one arrives', () => {
    const cache = tmp.open();
    cache.putDetail({
      case: makeCase(1, { version: 3, assigneeId: 7 }),
      history: [],
      actions: [],
      detail: {},
    });
    const result = cache.applyChanges([upsert(1, makeCase(1, { version: 2, assigneeId: null }))], 1);
    expect(result.upserted).toEqual([]);
    expect(cache.getCase(1)).toMatchObject({ version: 3, assigneeId: 7 });
    expect(cache.syncState().lastSeq).toBe(1);
  });

  it('resetSync forgets the cases and the position but keeps the outbox', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1))], 1, { hasMore: false });
    cache.outbox.enqueue({ method: 'cases.claim', args: {}, caseId: 1, label: { zh: '认领', en: 'Claim' } });
    cache.resetSync();
    expect(cache.getCase(1)).toBeNull();
    expect(cache.search('服务审核').cases).toEqual([]);
    expect(cache.syncState()).toMatchObject({ lastSeq: 0, headSeq: 0, snapshotDone: false });
    expect(cache.outbox.list()).toHaveLength(1);
  });
});

describe('applying live events', () => {
  it('applies a batch that continues the cursor, skipping seqs the person may not see', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(4, makeCase(1))], 4);
    // Seqs 5, 7 and 8 belong to kinds this account cannot see: the connection never sends them.
    const result = cache.applyStream({
      prevSeq: 4,
      events: [upserted(6, makePayout(2)), { seq: 9, type: 'payout.requested', payload: {} }, removed(10, 1)],
    });
    expect(result).toEqual({ gap: false, lastSeq: 10, applied: 3, upserted: [2], removed: [1] });
    expect(cache.getCase(1)).toBeNull();
    expect(cache.getCase(2)).not.toBeNull();
  });

  it('refuses a batch that does not continue the cache, changing nothing after the break', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(4, makeCase(1))], 4);
    // The connection delivered seq 6 before this batch, which the cache never saw: it cannot know what 6 was.
    expect(cache.applyStream({ prevSeq: 6, events: [removed(7, 1)] })).toEqual({
      gap: true,
      lastSeq: 4,
      applied: 0,
      upserted: [],
      removed: [],
    });
    expect(cache.getCase(1)).not.toBeNull();
    expect(cache.syncState().lastSeq).toBe(4);
  });

  it('a catch-up that ran ahead of the socket: events already covered are skipped, the rest apply', () => {
    const cache = tmp.open();
    cache.applyStream({ prevSeq: 0, events: [upserted(1, makeCase(1, { title: '新标题' }))] });
    // The sync route moved the cursor to 5 while the socket was still delivering 2…
    cache.applyChanges([upsert(5, makeCase(1, { title: '同步后的标题', version: 3 }))], 5);
    const result = cache.applyStream({
      prevSeq: 1,
      events: [upserted(2, makeCase(1, { title: '旧事件', version: 2 })), upserted(6, makePayout(2))],
    });
    expect(result).toMatchObject({ gap: false, lastSeq: 6, applied: 1, upserted: [2] });
    expect(cache.getCase(1)?.title).toBe('同步后的标题');
  });

  it('the ready mark moves the cursor only when it continues it', () => {
    const cache = tmp.open();
    expect(cache.advanceTo(0, 12)).toMatchObject({ gap: false });
    expect(cache.syncState().lastSeq).toBe(12);
    expect(cache.advanceTo(15, 20)).toMatchObject({ gap: true });
    expect(cache.syncState().lastSeq).toBe(12);
  });
});

describe('removed cases', () => {
  it('an answer or a case screen read before the removal does not bring the case back; the stream does', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1))], 1);
    // An action committed version 2; the subject was deleted right after; the socket was quicker than
    // the action's answer (the property test's counterexample, continuity.property.test.ts).
    const answer = makeCase(1, { version: 2, assigneeId: 7 });
    cache.applyStream({ prevSeq: 1, events: [upserted(2, answer), removed(3, 1)] });
    expect(cache.putCase(answer)).toEqual({ upserted: [], removed: [] });
    cache.putDetail({ case: answer, history: [], actions: [], detail: {} });
    expect(cache.getCase(1)).toBeNull();
    expect(cache.getDetail(1).detail).toBeNull();
    expect(cache.fingerprint().count).toBe(0);

    // Removals of cases the cache never held count too, and a reset does not forget them: an answer
    // read before one may still be on its way.
    cache.applyChanges([remove(4, 2)], 4);
    cache.resetSync();
    expect(cache.putCase(makeCase(2, { version: 5 })).upserted).toEqual([]);
    expect(cache.putCase(answer).upserted).toEqual([]);

    // A later upsert in the stream brings a case back, and its answers count again.
    cache.applyChanges([upsert(5, makeCase(1, { version: 3 }))], 5);
    expect(cache.putCase(makeCase(1, { version: 4, assigneeId: 8 })).upserted).toEqual([1]);
    expect(cache.getCase(1)).toMatchObject({ version: 4, assigneeId: 8 });
    expect(cache.getCase(2)).toBeNull();
  });
});

describe('case screens and chats', () => {
  const detail = (version: number): CaseDetail => ({
    case: makeDispute(1, { version }),
    history: [],
    actions: [{ action: 'claim', available: true, reason: null }],
    detail: { timeline: ['买家付款', '卖家交付'] },
  });

  it('returns the cached detail, stale once the queue row moved past it', () => {
    const cache = tmp.open({ now: () => new Date(at(30)) });
    expect(cache.getDetail(1)).toEqual({ detail: null, cachedAt: null, stale: true });
    cache.putDetail(detail(1));
    expect(cache.getDetail(1)).toEqual({ detail: detail(1), cachedAt: at(30), stale: false });
    cache.applyStream({ prevSeq: 0, events: [upserted(1, makeDispute(1, { version: 2 }))] });
    expect(cache.getDetail(1).stale).toBe(true);
  });

  it('keeps chat messages of a cached case in order, and drops them with the case', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1, { kind: 'support_chat' }))], 1);
    expect(
      cache.putChatMessages(1, [message(3, '退款什么时候到账？'), message(1, '你好'), message(2, '在吗')]),
    ).toBe(3);
    expect(cache.putChatMessages(99, [message(4, '无主消息')])).toBe(0);
    expect(cache.listChatMessages(1).map((m) => m.content)).toEqual(['你好', '在吗', '退款什么时候到账？']);
    expect(cache.listChatMessages(1, { before: 3, limit: 1 }).map((m) => m.id)).toEqual([2]);
    cache.putDetail({ case: makeCase(1, { kind: 'support_chat' }), history: [], actions: [], detail: {} });
    cache.applyChanges([remove(2, 1)], 2);
    expect(cache.listChatMessages(1)).toEqual([]);
    expect(cache.getDetail(1).detail).toBeNull();
  });
});

describe('the header’s 我的工单 count', () => {
  it('counts exactly what My work lists: my open and waiting cases, not my support chats or resolved cases', () => {
    const cache = tmp.open();
    const me = ACCOUNT.userId;
    cache.applyChanges(
      [
        upsert(1, makeCase(1, { assigneeId: me })),
        upsert(2, makeDispute(2, { assigneeId: me, status: 'waiting' })),
        upsert(3, makeCase(3, { kind: 'support_chat', assigneeId: me })),
        upsert(4, makeCase(4, { kind: 'support_chat', assigneeId: me, status: 'waiting' })),
        upsert(5, makeCase(5, { assigneeId: me, status: 'resolved' })),
        upsert(6, makeCase(6, { assigneeId: me + 1 })),
        upsert(7, makeCase(7)),
      ],
      7,
    );
    // What 我的待办 reads when it opens (renderer/src/features/cases/prefetch.ts, queueQuery of `mine`).
    const mine = WORKSPACES.find((w) => w.id === 'mine')!;
    const listed = cache.listCases({
      kinds: [...mine.caseKinds!],
      statuses: ['open', 'waiting'],
      assignee: 'me',
      limit: 100,
    });
    expect(listed.items.map((c) => c.id).sort()).toEqual([1, 2]);
    expect(cache.assignedOpenCount()).toBe(listed.total);
  });
});
