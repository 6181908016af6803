import { describe, expect, it } from 'vitest';
import { sampleCase } from '../features/cases/testing';
import { caseHistorySentence, caseHistoryUserParts } from './audit-sentences';
import { caseTitleParts, caseTitleText } from './case-title';
import { splitUserText } from './UserText';

const userParts = (c: Parameters<typeof caseTitleParts>[0], locale: string) =>
  caseTitleParts(c, locale)
    .filter((p) => p.user)
    .map((p) => p.text);

describe('case titles in the reader’s language', () => {
  it('rebuilds the core’s Chinese titles in English around what people typed, and marks those parts', () => {
    const dispute = sampleCase(2, {
      kind: 'dispute',
      title: '订单 JX20261128000093 纠纷：口播视频剪辑',
      summary: { orderNumber: 'JX20261128000093', serviceTitle: '口播视频剪辑' },
    });
    expect(caseTitleText(dispute, 'zh-CN')).toBe('订单 JX20261128000093 纠纷：口播视频剪辑');
    expect(caseTitleText(dispute, 'en')).toBe('Dispute on order JX20261128000093: 口播视频剪辑');
    expect(userParts(dispute, 'en')).toEqual(['JX20261128000093', '口播视频剪辑']);

    const payout = sampleCase(3, {
      kind: 'payout',
      title: '提现 ¥6,000.00 · 设计师小王',
      amountFen: 600_000,
    });
    expect(caseTitleText(payout, 'en')).toBe('Payout of ¥6,000.00 · 设计师小王');
    expect(userParts(payout, 'en')).toEqual(['设计师小王']);

    const report = sampleCase(4, { kind: 'report', title: '举报服务「Logo 设计」' });
    expect(caseTitleText(report, 'en')).toBe('Report on listing “Logo 设计”');
    expect(caseTitleText(sampleCase(5, { kind: 'report', title: '举报消息 #88' }), 'en')).toBe(
      'Report on message #88',
    );

    const recon = sampleCase(6, {
      kind: 'reconciliation_mismatch',
      title: '对账差异 2026-11-26 · 支付宝转账 JXPO00000000000041 · 金额不一致',
    });
    expect(caseTitleText(recon, 'en')).toBe(
      'Reconciliation 2026-11-26 · Alipay transfer JXPO00000000000041 · The amounts differ',
    );
  });

  it('a title it cannot rebuild reads in English as the kind and number, never the Chinese or a code', () => {
    const odd = sampleCase(7, { kind: 'dispute', title: '某种新格式的标题' });
    expect(caseTitleText(odd, 'zh-CN')).toBe('某种新格式的标题');
    expect(caseTitleText(odd, 'en')).toBe('Dispute #7');
  });
});

describe('user content inside the console’s sentences', () => {
  it('splits out exactly the given parts, longest first', () => {
    expect(splitUserText('青柠 opened a dispute: 青柠说交付不符', ['青柠', '青柠说交付不符'])).toEqual([
      { text: '青柠', user: true },
      { text: ' opened a dispute: ', user: false },
      { text: '青柠说交付不符', user: true },
    ]);
  });

  it('reads the core’s own Chinese history notes in English, and keeps people’s notes as theirs', () => {
    const sla = {
      actorName: null,
      actorId: null,
      action: 'sla_breached',
      note: '超过处理时限（SLA）45 分钟，已自动升级优先级',
      data: {},
    };
    const en = caseHistorySentence(sla, { id: 9, kind: 'payout' }, 'en');
    expect(en).toContain('45 min overdue; priority raised automatically');
    expect(en).not.toMatch(/\p{Script=Han}/u);
    expect(caseHistoryUserParts(sla, 'en')).toEqual([]);

    const opened = { actorName: '青柠', actorId: 6, action: 'opened', note: '交付不符', data: {} };
    expect(caseHistoryUserParts(opened, 'en')).toEqual(['青柠', '交付不符']);
  });
});
