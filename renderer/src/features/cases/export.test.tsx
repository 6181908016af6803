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
});
