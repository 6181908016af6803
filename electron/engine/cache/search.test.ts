import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseCache } from './cache';
import { caseSearchText } from './derive';
import { textFilter } from './search';
import { makeCase, makeDispute, makePayout, remove, upsert, useTempDir } from './testing';

const tmp = useTempDir();

/** A small queue: a dispute, a payout, two listing reviews (one with syntax-like text), a support chat. */
function seeded(): CaseCache {
  const cache = tmp.open();
  cache.applyChanges(
    [
      upsert(1, makeDispute(1)),
      upsert(2, makePayout(2)),
      upsert(
        3,
        makeCase(3, { title: '专业LOGO设计与品牌VI全案', summary: { title: 'Logo design', hitCount: 0 } }),
      ),
      upsert(4, makeCase(4, { title: '小程序开发 "特价" -50% OR 满减* (限时)', summary: {} })),
      upsert(
        5,
        makeCase(5, {
          kind: 'support_chat',
          userId: 601,
          orderId: 9002,
          title: '咨询：退款进度',
          summary: {
            conversationId: 3,
            subject: '退款进度',
            customerNickname: '陈女士',
            orderNumber: 'JX20261102077',
          },
        }),
      ),
    ],
    5,
    { hasMore: false },
  );
  return cache;
}

describe('the search index during a snapshot', () => {
  it('is rebuilt once with the last page, then kept in step by live writes again', () => {
    const cache = tmp.open();
    cache.applyChanges([upsert(1, makeCase(1, { title: '品牌设计快照第一页' }))], 1, {
      hasMore: true,
      headSeq: 3,
    });
    // Mid-snapshot the rows are in, the index is not (the status shows the snapshot in progress).
    expect(cache.listCases({}).total).toBe(1);
    expect(caseIds(cache, '品牌设计')).toEqual([]);
    cache.applyChanges([upsert(2, makeCase(2, { title: '品牌设计快照第二页' }))], 2, {
      hasMore: false,
      headSeq: 3,
    });
    expect(caseIds(cache, '品牌设计')).toEqual([2, 1]);
    // Afterwards every write updates the index at once: a live event, a removal.
    cache.applyStream({
      prevSeq: 2,
      events: [{ seq: 3, type: 'case.upserted', payload: makeCase(3, { title: '品牌设计直播' }) }],
    });
    expect(caseIds(cache, '品牌设计')).toEqual([3, 2, 1]);
    cache.applyChanges([remove(4, 1)], 4);
    expect(caseIds(cache, '品牌设计')).toEqual([3, 2]);
    expect(cache.search('快照第一', 5).cases).toEqual([]);
  });

  it('a reset starts a new snapshot: the old rows leave the index, the new ones arrive with its end', () => {
    const cache = seeded();
    cache.resetSync();
    expect(caseIds(cache, '品牌')).toEqual([]);
    cache.applyChanges([upsert(9, makeCase(9, { title: '重置后的品牌设计' }))], 9, { hasMore: false });
    expect(caseIds(cache, '品牌设计')).toEqual([9]);
  });
});

const foldAscii = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
const caseIds = (cache: CaseCache, q: string) => cache.search(q, 20).cases.map((c) => c.id);

describe('offline Chinese search', () => {
  it("finds '提现' (two characters, LIKE) and '品牌设计' (four, trigram index)", () => {
    const cache = seeded();
    expect(textFilter('提现')).toEqual({ match: null, likes: ['%提现%'] });
    expect(caseIds(cache, '提现')).toEqual([2]);
    expect(textFilter('品牌设计')?.match).toBe('"品牌设计"');
    expect(caseIds(cache, '品牌设计')).toEqual([1]);
  });

  it('finds a term in the middle of a word, in titles and in summary text, ASCII case-insensitively', () => {
    const cache = seeded();
    expect(caseIds(cache, '设计全')).toEqual([1]); // 企业品牌「设计全」案
    expect(caseIds(cache, '牌设')).toEqual([1]);
    expect(caseIds(cache, '与需求不')).toEqual([1]); // the dispute's reason, in its summary
    expect(caseIds(cache, 'ogo')).toEqual([3]);
    expect(caseIds(cache, '退款')).toEqual([5]);
    expect(caseIds(cache, '1101001')).toEqual([1]); // inside the order number
    expect(caseIds(cache, '设计')).toEqual([3, 1]); // newest first without a rank
  });

  it('requires every whitespace-separated term, mixing short and long ones', () => {
    const cache = seeded();
    expect(caseIds(cache, '品牌 纠纷')).toEqual([1]);
    expect(caseIds(cache, '企业品牌 李设计师')).toEqual([1]);
    expect(caseIds(cache, '品牌 提现')).toEqual([]);
  });

  it('treats FTS and SQL syntax characters as text and never throws', () => {
    const cache = seeded();
    const odd = [
      '"',
      '""',
      '"品牌',
      '品牌设计"',
      '*',
      '设计*',
      'OR',
      '品牌 OR 提现',
      '-',
      '-品牌',
      'NOT 品牌',
      'NEAR(品牌 设计)',
      '(',
      ')',
      ':',
      'cases_fts:品牌',
      '^品牌',
      '%',
      '_',
      '\\',
      "'",
      "'; DROP TABLE cases; --",
      '品牌\u0000设计',
      '\u0000',
    ];
    for (const q of odd) expect(() => cache.search(q, 20), q).not.toThrow();
    // Syntax-looking text is found literally, and only where it occurs.
    expect(caseIds(cache, '"特价"')).toEqual([4]);
    expect(caseIds(cache, '-50%')).toEqual([4]);
    expect(caseIds(cache, 'OR')).toEqual([4]);
    expect(caseIds(cache, '满减*')).toEqual([4]);
    expect(caseIds(cache, '(限时)')).toEqual([4]);
    expect(caseIds(cache, '%')).toEqual([4]);
    expect(caseIds(cache, '品牌 OR 提现')).toEqual([]); // OR is a word to find, not an operator
    expect(caseIds(cache, '_')).toEqual([]);
    expect(caseIds(cache, "'; DROP TABLE cases; --")).toEqual([]);
    expect(caseIds(cache, '企业\u0000品牌')).toEqual([1]);
    expect(cache.getCase(1)).not.toBeNull();
  });

  it('never throws, and matches only rows containing every term, whatever the string (property)', () => {
    const cache = seeded();
    const all = cache.listCases({}).items;
    const syntaxy = fc.string({
      unit: fc.constantFrom(
        '"',
        '*',
        'OR',
        'AND',
        'NOT',
        'NEAR',
        '-',
        '+',
        '(',
        ')',
        ':',
        '^',
        '%',
        '_',
        '\\',
        "'",
        ' ',
        '品',
        '牌',
        '设',
        '计',
        '\u0000',
        '\n',
      ),
      maxLength: 12,
    });
    fc.assert(
      fc.property(fc.oneof(syntaxy, fc.string({ unit: 'binary', maxLength: 12 })), (q) => {
        const found = cache.search(q, 50).cases.map((c) => c.id);
        const terms = q
          .replace(/\p{Cc}/gu, ' ')
          .split(/\s+/u)
          .filter(Boolean);
        const typed = terms.join(' ');
        const expected = terms.length
          ? all
              .filter((c) => {
                const text = foldAscii(caseSearchText(c));
                // `3` or `#3` also finds case 3 by its number.
                return (
                  typed.replace(/^#/, '') === String(c.id) || terms.every((t) => text.includes(foldAscii(t)))
                );
              })
              .map((c) => c.id)
          : [];
        expect(found.sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it('finds the users and orders the cached cases name', () => {
    const cache = seeded();
    expect(cache.search('王小明').users).toEqual([
      { id: 301, username: '', nickname: '王小明', phone: null },
    ]);
    expect(cache.search('李').users.map((u) => u.id)).toEqual([302]);
    expect(cache.search('陈女士').users).toEqual([
      { id: 601, username: '', nickname: '陈女士', phone: null },
    ]);
    expect(cache.search('JX2026').orders).toEqual([
      { id: 9002, orderNumber: 'JX20261102077', status: '', amountFen: 0 },
      { id: 9001, orderNumber: 'JX20261101001', status: '', amountFen: 880_00 },
    ]);
    expect(cache.search('   ')).toEqual({ cases: [], users: [], orders: [] });
  });

  it('finds a user by username, by the digits of the masked phone and by the whole number (issue 13)', () => {
    const cache = seeded();
    cache.putDirectory({
      users: [
        { id: 601, username: 'client001', nickname: '陈女士', phoneMasked: '138****5678' },
        { id: 301, username: 'wangxm', nickname: '王小明', phoneMasked: null },
      ],
      orders: [],
    });
    const chen = { id: 601, username: 'client001', nickname: '陈女士', phone: '138****5678' };
    expect(cache.search('client001').users).toEqual([chen]);
    expect(cache.search('client').users).toEqual([chen]);
    expect(cache.search('ent0').users).toEqual([chen]);
    expect(cache.search('陈女士').users).toEqual([chen]);
    // The digits staff can see, and the whole number typed (matched through its mask).
    expect(cache.search('5678').users).toEqual([chen]);
    expect(cache.search('138').users).toEqual([chen]);
    expect(cache.search('13812345678').users).toEqual([chen]);
    expect(cache.search('138 1234 5678').users).toEqual([chen]);
    expect(cache.search('13900005678').users).toEqual([]);
    // A later case naming the user by nickname alone does not erase the username or the phone.
    cache.applyChanges(
      [
        upsert(
          8,
          makeCase(8, { kind: 'support_chat', userId: 601, summary: { customerNickname: '陈女士' } }),
        ),
      ],
      8,
    );
    expect(cache.search('client001').users).toEqual([chen]);
    // The cache holds only the mask.
    expect(JSON.stringify(cache.search('陈', 20))).not.toContain('12345678');
  });

  it('finds an order by its number with the status and amount the core reported', () => {
    const cache = seeded();
    cache.putDirectory({
      users: [],
      orders: [{ id: 9002, orderNumber: 'JX20261102077', status: 'in_progress', amountFen: 500_00 }],
    });
    expect(cache.search('JX20261102077').orders).toEqual([
      { id: 9002, orderNumber: 'JX20261102077', status: 'in_progress', amountFen: 500_00 },
    ]);
    expect(cache.search('1102077').orders.map((o) => o.id)).toEqual([9002]);
    // A later case summary without a status keeps the one reported.
    cache.applyChanges(
      [upsert(9, makeCase(9, { orderId: 9002, summary: { orderNumber: 'JX20261102077' } }))],
      9,
    );
    expect(cache.search('JX20261102077').orders[0]?.status).toBe('in_progress');
  });

  it("finds a case by its number, '#3' or '3', first", () => {
    const cache = seeded();
    expect(caseIds(cache, '#3')).toEqual([3]);
    expect(caseIds(cache, '3')[0]).toBe(3);
    expect(caseIds(cache, '#5')).toEqual([5]);
    expect(caseIds(cache, '#99')).toEqual([]);
    expect(caseIds(cache, '#0')).toEqual([]);
  });

  it('follows updates and removals: old text stops matching, new text matches', () => {
    const cache = seeded();
    cache.applyChanges(
      [
        upsert(6, makePayout(2, { version: 2, title: '提现 ¥99.00 · 孙七' })),
        { op: 'remove', seq: 7, caseId: 1 },
      ],
      7,
    );
    expect(caseIds(cache, '赵六')).toEqual([]);
    expect(caseIds(cache, '孙七')).toEqual([2]);
    expect(caseIds(cache, '品牌设计')).toEqual([]);
  });

  it('respects the limit', () => {
    const cache = tmp.open();
    cache.applyChanges(
      Array.from({ length: 30 }, (_, i) =>
        upsert(i + 1, makeCase(i + 1, { title: `品牌设计需求 ${i + 1}` })),
      ),
      30,
      { hasMore: false },
    );
    expect(cache.search('品牌设计', 5).cases).toHaveLength(5);
    expect(cache.search('品牌', 5).cases).toHaveLength(5);
  });

  it('narrows the queue with q together with the other filters', () => {
    const cache = seeded();
    // Queue order (SLA), not search order.
    expect(cache.listCases({ q: '设计' }).items.map((c) => c.id)).toEqual([1, 3]);
    expect(cache.listCases({ q: '设计', kinds: ['dispute'] })).toMatchObject({
      total: 1,
      items: [{ id: 1 }],
    });
    expect(cache.listCases({ q: '"特价" 限时' }).items.map((c) => c.id)).toEqual([4]);
    expect(cache.listCases({ q: '' }).total).toBe(5);
  });
});
