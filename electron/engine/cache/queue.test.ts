import type { EventEnvelope } from '@jiangxin/shared/events';
import { CASE_KINDS, CASE_SORTS, CASE_STATUSES, type CaseSummary } from '@jiangxin/shared/ops/cases';
import { describe, expect, it } from 'vitest';
import type { StreamEnvelope } from './cases';
import { cacheFileName, openDatabase } from './db';
import { NO_SLA_MS } from './derive';
import { caseQuerySql, type LocalCaseQueryInput, walkIsCheaper } from './queue';
import { ACCOUNT, at, makeCase, remove, upsert, useTempDir } from './testing';

const tmp = useTempDir();
const ME = ACCOUNT.userId;

/** Eight cases covering every filter's edge: no SLA, no amount, mine, someone else's, unclaimed. */
function smallQueue() {
  const cache = tmp.open();
  const cases = [
    makeCase(1, { kind: 'payout', priority: 3, slaDueAt: at(100), amountFen: 500_00, assigneeId: ME }),
    makeCase(2, { kind: 'payout', priority: 1, slaDueAt: null, amountFen: 20_00, createdAt: at(10) }),
    makeCase(3, { kind: 'dispute', priority: 2, slaDueAt: at(50), amountFen: null, assigneeId: 9 }),
    makeCase(4, { kind: 'dispute', priority: 2, slaDueAt: at(50), amountFen: 999_00, slaBreached: true }),
    makeCase(5, { kind: 'report', priority: 0, slaDueAt: null, status: 'waiting', createdAt: at(20) }),
    makeCase(6, { kind: 'report', priority: 2, slaDueAt: at(10), status: 'resolved', slaBreached: true }),
    makeCase(7, { kind: 'support_chat', priority: 1, slaDueAt: at(70), assigneeId: ME, createdAt: at(30) }),
    makeCase(8, { kind: 'listing_review', priority: 1, slaDueAt: at(70), amountFen: 20_00 }),
  ];
  cache.applyChanges(
    cases.map((c, i) => upsert(i + 1, c)),
    cases.length,
    { hasMore: false },
  );
  const ids = (query: LocalCaseQueryInput) => cache.listCases(query).items.map((c) => c.id);
  return { cache, ids };
}

describe('queue queries on the offline cache', () => {
  it('sorts by SLA with cases without a deadline last, ties broken by id', () => {
    const { ids } = smallQueue();
    expect(ids({})).toEqual([6, 3, 4, 7, 8, 1, 2, 5]);
    // Descending mirrors the core: no deadline counts as the latest deadline, so it leads.
    expect(ids({ sort: '-sla' })).toEqual([5, 2, 1, 8, 7, 4, 3, 6]);
  });

  it('sorts by priority (highest first), created and amount (no amount lowest), in both directions', () => {
    const { ids } = smallQueue();
    expect(ids({ sort: 'priority' })).toEqual([1, 6, 4, 3, 8, 7, 2, 5]);
    expect(ids({ sort: '-priority' })).toEqual([5, 2, 7, 8, 3, 4, 6, 1]);
    expect(ids({ sort: 'created' })).toEqual([1, 3, 4, 6, 8, 2, 5, 7]);
    expect(ids({ sort: '-created' })).toEqual([7, 5, 2, 8, 6, 4, 3, 1]);
    expect(ids({ sort: 'amount' })).toEqual([3, 5, 6, 7, 2, 8, 1, 4]);
    expect(ids({ sort: '-amount' })).toEqual([4, 1, 8, 2, 7, 6, 5, 3]);
  });

  it('filters by kind, status, assignee (me, none, a colleague) and priority', () => {
    const { ids } = smallQueue();
    expect(ids({ kinds: ['payout', 'dispute'] })).toEqual([3, 4, 1, 2]);
    expect(ids({ kinds: [] })).toEqual([]);
    expect(ids({ statuses: ['waiting', 'resolved'] })).toEqual([6, 5]);
    expect(ids({ assignee: 'me' })).toEqual([7, 1]);
    expect(ids({ assignee: 'none' })).toEqual([6, 4, 8, 2, 5]);
    expect(ids({ assignee: 9 })).toEqual([3]);
    expect(ids({ priorityAtLeast: 2 })).toEqual([6, 3, 4, 1]);
  });

  it('filters by SLA breach, amount range (cases without an amount never match) and created range', () => {
    const { ids } = smallQueue();
    expect(ids({ slaBreached: true })).toEqual([6, 4]);
    expect(ids({ slaBreached: false })).toEqual([3, 7, 8, 1, 2, 5]);
    expect(ids({ minAmountFen: 20_00, maxAmountFen: 500_00 })).toEqual([8, 1, 2]);
    expect(ids({ maxAmountFen: 0 })).toEqual([]);
    // From inclusive, to exclusive.
    expect(ids({ createdFrom: at(10), createdTo: at(30) })).toEqual([2, 5]);
    expect(ids({ createdFrom: '2026-11-01T08:20:00+08:00' })).toEqual([7, 5]);
  });

  it('pages with offset and limit and reports the total of the whole filter', () => {
    const { cache } = smallQueue();
    const page = cache.listCases({ sort: 'sla', offset: 2, limit: 3 });
    expect(page.items.map((c) => c.id)).toEqual([4, 7, 8]);
    expect(page.total).toBe(8);
    expect(cache.listCases({ offset: 100 })).toEqual({ items: [], total: 8 });
  });

  it('returns the summaries exactly as the core sent them', () => {
    const { cache } = smallQueue();
    const sent = makeCase(1, {
      kind: 'payout',
      priority: 3,
      slaDueAt: at(100),
      amountFen: 500_00,
      assigneeId: ME,
    });
    expect(cache.listCases({ kinds: ['payout'], assignee: 'me' }).items).toEqual([sent]);
  });

  it('keeps the total right as cases arrive, change, leave and are reset, while reads reuse it', () => {
    const { cache } = smallQueue();
    const open = { kinds: ['listing_review' as const], statuses: ['open' as const, 'waiting' as const] };
    const total = () => cache.listCases(open).total;
    expect(total()).toBe(1);
    expect(total()).toBe(1);
    // The sync route brings two more listings.
    cache.applyChanges([upsert(9, makeCase(9)), upsert(10, makeCase(10))], 10, { hasMore: false });
    expect(total()).toBe(3);
    expect(cache.listCases({ ...open, offset: 2, limit: 5 }).items.map((c) => c.id)).toEqual([10]);
    // An action's answer resolves one: it leaves the open queue (and joins the resolved count).
    cache.putCase(makeCase(9, { status: 'resolved', version: 2 }));
    expect(total()).toBe(2);
    expect(cache.listCases({ ...open, statuses: ['resolved'] }).total).toBe(1);
    // The live stream removes one and changes the kind of another.
    const live = (seq: number, c: CaseSummary): StreamEnvelope & EventEnvelope => ({
      seq,
      type: 'case.upserted',
      aggregateType: 'case',
      aggregateId: c.id,
      occurredAt: c.updatedAt,
      payload: c,
    });
    cache.applyStream({
      prevSeq: 10,
      events: [
        { seq: 11, type: 'case.removed', payload: { caseId: 10, kind: 'listing_review' } },
        live(12, makeCase(8, { kind: 'report', version: 2 })),
      ],
    });
    expect(total()).toBe(0);
    expect(cache.listCases({}).total).toBe(9);
    // A full re-sync starts from nothing.
    cache.resetSync();
    expect(cache.listCases({}).total).toBe(0);
    cache.applyChanges([upsert(1, makeCase(1)), remove(2, 1), upsert(3, makeCase(3))], 3, { hasMore: false });
    expect(cache.listCases({}).total).toBe(1);
  });

  it('sees cases another connection to the file wrote', () => {
    const { cache } = smallQueue();
    expect(cache.listCases({}).total).toBe(8);
    const other = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    other.prepare('DELETE FROM cases WHERE id IN (1, 2)').run();
    other.close();
    expect(cache.listCases({}).total).toBe(6);
    expect(cache.listCases({}).items.map((c) => c.id)).toEqual([6, 3, 4, 7, 8, 5]);
  });

  it('refuses a query outside the bridge contract', () => {
    const { cache } = smallQueue();
    expect(() => cache.listCases({ limit: 0 })).toThrow();
    expect(() => cache.listCases({ sort: 'title' as never })).toThrow();
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so the big queue is the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLES = ['企业品牌设计', '小程序开发', '短视频剪辑', '论文润色', '提现申请', '商标注册咨询'];

function bigQueue(n: number): CaseSummary[] {
  const rand = random(20261126);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    return makeCase(id, {
      kind: pick(CASE_KINDS),
      status: pick(CASE_STATUSES),
      priority: Math.floor(rand() * 4),
      assigneeId: pick([null, null, ME, 8, 9]),
      // Few distinct deadlines, so many ties exercise the id tie-break.
      slaDueAt: rand() < 0.2 ? null : at(Math.floor(rand() * 500)),
      slaBreached: rand() < 0.1,
      amountFen: rand() < 0.3 ? null : Math.floor(rand() * 2000) * 100,
      createdAt: at(Math.floor(rand() * 10_000)),
      title: `${pick(TITLES)} #${id}`,
    });
  });
}

/** The queue order written independently of the SQL, as the reference for the 100k check. */
function referencePage(all: CaseSummary[], keep: (c: CaseSummary) => boolean, offset: number, limit: number) {
  const sla = (c: CaseSummary) => (c.slaDueAt ? Date.parse(c.slaDueAt) : NO_SLA_MS);
  const matching = all.filter(keep).sort((a, b) => sla(a) - sla(b) || a.id - b.id);
  return { ids: matching.slice(offset, offset + limit).map((c) => c.id), total: matching.length };
}

describe('a 100k-case queue', () => {
  it('stores 100k cases in one sync transaction and returns filtered, sorted pages exactly', () => {
    const cache = tmp.open();
    const all = bigQueue(100_000);
    const result = cache.applyChanges(
      all.map((c) => upsert(c.id, c)),
      all.length,
      { headSeq: all.length, hasMore: false },
    );
    expect(result.upserted).toHaveLength(100_000);
    expect(cache.syncState()).toMatchObject({ lastSeq: 100_000, snapshotDone: true });

    const page = cache.listCases({
      kinds: ['payout', 'dispute', 'report'],
      statuses: ['open', 'waiting'],
      assignee: 'none',
      priorityAtLeast: 1,
      minAmountFen: 50_000,
      sort: 'sla',
      offset: 40,
      limit: 100,
    });
    const expected = referencePage(
      all,
      (c) =>
        ['payout', 'dispute', 'report'].includes(c.kind) &&
        c.status !== 'resolved' &&
        c.assigneeId === null &&
        c.priority >= 1 &&
        c.amountFen !== null &&
        c.amountFen >= 50_000,
      40,
      100,
    );
    expect(expected.ids).toHaveLength(100);
    expect(page.items.map((c) => c.id)).toEqual(expected.ids);
    expect(page.total).toBe(expected.total);

    // A page deep in the unfiltered queue, where the no-deadline cases sit.
    const deep = cache.listCases({ sort: 'sla', offset: 85_000, limit: 500 });
    expect(deep.items.map((c) => c.id)).toEqual(referencePage(all, () => true, 85_000, 500).ids);

    const mine = cache.listCases({ assignee: 'me', q: '品牌', limit: 20 });
    const reference = referencePage(all, (c) => c.assigneeId === ME && c.title.includes('品牌'), 0, 20);
    expect(mine.items.map((c) => c.id)).toEqual(reference.ids);
    expect(mine.total).toBe(reference.total);
  }, 120_000);

  it('walks an index for every sort instead of sorting the table', () => {
    tmp.open().close();
    const db = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    const plan = (sql: string, params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    for (const sort of CASE_SORTS) {
      const { pageSql, params, limit, offset } = caseQuerySql({ sort }, ME);
      expect(plan(pageSql, [...params, limit, offset]), sort).toMatch(/USING INDEX cases_\w+_idx/);
      expect(plan(pageSql, [...params, limit, offset]), sort).not.toMatch(/TEMP B-TREE/);
      // A queue's query (kinds and statuses) walks the sort's own index too, when told to: the index
      // carries status and kind, so no row is read to filter.
      const queue = caseQuerySql({ sort, kinds: ['listing_review'], statuses: ['open', 'waiting'] }, ME);
      expect(queue.covered).toBe(true);
      const walk = plan(queue.walkSql, [...queue.params, queue.limit, queue.offset]);
      expect(walk, sort).toMatch(new RegExp(`USING INDEX cases_${sort.replace('-', '')}_idx`));
      expect(walk, sort).not.toMatch(/TEMP B-TREE/);
    }
    expect(caseQuerySql({ kinds: ['report'], assignee: 'me' }, ME).covered).toBe(false);
    db.close();
  });

  it('walks the index where most cases match and sorts the matches where few do', () => {
    const window = (offset: number, covered = true) => ({ offset, limit: 400, covered });
    // The listings queue: 100,000 of 101,000 cases, top and bottom.
    expect(walkIsCheaper(window(0), 100_000, 101_000)).toBe(true);
    expect(walkIsCheaper(window(99_600), 100_000, 101_000)).toBe(true);
    expect(walkIsCheaper(window(99_600, false), 100_000, 101_000)).toBe(true);
    // The reports queue: 1,000 of 101,000.
    expect(walkIsCheaper(window(0), 1_000, 101_000)).toBe(false);
    expect(walkIsCheaper(window(600), 1_000, 101_000)).toBe(false);
    expect(walkIsCheaper(window(0), 0, 101_000)).toBe(false);
  });

  it('returns the same pages whichever plan it takes', () => {
    const cache = tmp.open();
    const all = bigQueue(20_000);
    cache.applyChanges(
      all.map((c) => upsert(c.id, c)),
      all.length,
      { hasMore: false },
    );
    cache.close();
    const db = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    const queries: LocalCaseQueryInput[] = [
      { sort: 'sla', kinds: ['payout', 'dispute'], statuses: ['open', 'waiting'] },
      { sort: '-sla', statuses: ['resolved'] },
      { sort: 'priority', kinds: ['report'] },
      { sort: '-priority', kinds: ['listing_review', 'report'], statuses: ['open'] },
      { sort: 'created', assignee: 'none', kinds: ['support_chat'] },
      { sort: '-created', priorityAtLeast: 2 },
      { sort: 'amount', minAmountFen: 50_000, statuses: ['open', 'waiting'] },
      { sort: '-amount', slaBreached: true, q: '品牌' },
    ];
    for (const query of queries) {
      for (const offset of [0, 37, 1_500, 9_000]) {
        const sql = caseQuerySql({ ...query, offset, limit: 300 }, ME);
        const run = (text: string) =>
          (db.prepare(text).all(...sql.params, sql.limit, sql.offset) as { summary_json: string }[]).map(
            (r) => (JSON.parse(r.summary_json) as CaseSummary).id,
          );
        const sorted = run(sql.pageSql);
        expect(run(sql.walkSql), `${JSON.stringify(query)} @${offset}`).toEqual(sorted);
      }
    }
    db.close();
  }, 60_000);
});
