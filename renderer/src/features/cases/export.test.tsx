import { describe, expect, it } from 'vitest';
import { TRANSLATORS } from '../../i18n';
import { ScriptedBridge } from '../../test/render';
import { csvDocument, csvField } from './csv';
import { exportQueueCsv } from './export';
import { useCaseStrings } from './strings';
import { sampleCase } from './testing';

describe('CSV', () => {
  it('quotes what must be quoted and keeps formulas as text', () => {
    expect(csvField('普通')).toBe('普通');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('说"好"')).toBe('"说""好"""');
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('-1')).toBe("'-1");
    expect(csvField(-1)).toBe('-1');
    expect(csvField(null)).toBe('');
    const doc = csvDocument(['编号', '标题'], [[1, '第一行\n第二行']]);
    expect(doc.startsWith('\uFEFF编号,标题\r\n')).toBe(true);
    expect(doc).toContain('1,"第一行\n第二行"\r\n');
  });

  it('exports every row of the filtered view, across pages, not just what is loaded', async () => {
    const all = Array.from({ length: 12_345 }, (_, i) => sampleCase(i + 1));
    all[4] = sampleCase(5, { title: '=cmd|calc', amountFen: 123_456 });
    const bridge = new ScriptedBridge().answer('cases.list', (args) => ({
      items: all.slice(args.offset ?? 0, (args.offset ?? 0) + (args.limit ?? 200)),
      total: all.length,
    }));
    const progress: number[] = [];
    const { csv, rows } = await exportQueueCsv(
      bridge,
      { kinds: ['listing_review'], minAmountFen: 100, sort: 'sla' },
      ['id', 'title', 'amount'],
      TRANSLATORS['zh-CN'],
      useCaseStrings.forLocale('zh-CN'),
      (done) => progress.push(done),
    );
    expect(rows).toBe(12_345);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(12_346);
    expect(lines[0]).toBe('\uFEFF编号,标题,金额');
    // Money as on screen (formatFen), quoted for its thousands separator.
    expect(lines[5]).toBe(`5,'=cmd|calc,"¥1,234.56"`);
    expect(progress).toEqual([5000, 10_000, 12_345]);
    // Every page carried the view's filters.
    expect(bridge.callsOf('cases.list').every((a) => a.minAmountFen === 100 && a.sort === 'sla')).toBe(true);
  });

  // Issue 14: a person reads the export in a spreadsheet; in either language no cell and no header is a
  // code (`resolved`, `payout`, `sla_breached`, an ISO time), and the English file has no Chinese words
  // around what people typed.
  it('writes headers and values as words in the chosen language, never codes', async () => {
    const rows = [
      sampleCase(1, {
        kind: 'payout',
        status: 'resolved',
        priority: 3,
        title: '提现 ¥6,000.00 · 设计师小王',
        amountFen: 600_000,
        assigneeName: '财务-陈会计',
        flags: ['maker_checker', 'sla_breached'],
      }),
      sampleCase(2, {
        kind: 'dispute',
        status: 'waiting',
        priority: 0,
        title: '订单 JX20261128000093 纠纷：Logo 设计',
        summary: { orderNumber: 'JX20261128000093', serviceTitle: 'Logo 设计' },
        flags: ['contact_leak'],
      }),
    ];
    const bridge = new ScriptedBridge().answer('cases.list', (args) => ({
      items: (args.offset ?? 0) === 0 ? rows : [],
      total: rows.length,
    }));
    const all = [
      'id',
      'kind',
      'status',
      'title',
      'priority',
      'assignee',
      'amount',
      'sla',
      'created',
      'flags',
    ] as const;
    const exported = async (locale: 'zh-CN' | 'en') =>
      (
        await exportQueueCsv(
          bridge,
          { kinds: ['payout', 'dispute'] },
          all,
          TRANSLATORS[locale],
          useCaseStrings.forLocale(locale),
          () => {},
        )
      ).csv
        .replace('\uFEFF', '')
        .trimEnd()
        .split('\r\n');

    const zh = await exported('zh-CN');
    expect(zh[0]).toBe('编号,类型,状态,标题,优先级,处理人,金额,SLA,创建时间,标记');
    expect(zh[1]).toMatch(
      /^1,提现,已解决,"提现 ¥6,000\.00 · 设计师小王",紧急,财务-陈会计,"¥6,000\.00",\d{4}-\d{2}-\d{2} \d{2}:\d{2},\d{4}-\d{2}-\d{2} \d{2}:\d{2},需双人审批、已超时$/,
    );
    expect(zh[2]).toContain(',纠纷,等待中,订单 JX20261128000093 纠纷：Logo 设计,低,');

    const en = await exported('en');
    expect(en[0]).toBe('No.,Kind,Status,Title,Priority,Assignee,Amount,SLA,Created,Flags');
    expect(en[1]).toContain(',Payout,Resolved,"Payout of ¥6,000.00 · 设计师小王",Urgent,');
    expect(en[1]).toMatch(/,"Two approvals, SLA breached"$/);
    expect(en[2]).toContain(',Dispute,Waiting,Dispute on order JX20261128000093: Logo 设计,Low,');
    // No code in either file, and in English no Chinese besides the names and titles people typed.
    for (const line of [...zh, ...en])
      expect(line).not.toMatch(/\b[a-z]+_[a-z_]+\b|\d{2}T\d{2}|resolved|payout\b/);
    const typed = /设计师小王|财务-陈会计|Logo 设计/g;
    for (const line of en) expect(line.replace(typed, '')).not.toMatch(/\p{Script=Han}/u);
  });
});
