import { CASE_ACTIONS } from '@jiangxin/shared/ops/actions';
import { CASE_KINDS } from '@jiangxin/shared/ops/cases';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  auditSentence,
  CASE_HISTORY_EVENTS,
  caseHistorySentence,
  type SentenceInput,
} from './audit-sentences';

const LOCALES = ['zh-CN', 'en'] as const;

/**
 * A sentence a person can read: no underscore, no dotted action code, no "undefined"/"null"; in Chinese
 * no Latin word at all (the inputs here carry none, so any would be a code leaking through).
 */
function expectReadable(sentence: string, what: string, locale: string) {
  expect(sentence.length, what).toBeGreaterThan(3);
  expect(sentence, what).not.toMatch(/_/);
  expect(sentence, what).not.toMatch(/[a-z]+\.[a-z]/);
  expect(sentence, what).not.toMatch(/undefined|null|\[object/);
  if (locale === 'zh-CN') expect(sentence, what).not.toMatch(/[a-z]{2,}/);
}

const base = (action: string, extra: Partial<SentenceInput> = {}): SentenceInput => ({
  actorName: '小王',
  actorId: 7,
  action,
  subjectType: 'case',
  subjectId: 42,
  data: {},
  ...extra,
});

describe('audit and case history sentences', () => {
  it('gives every audit action a readable sentence in zh and en', () => {
    for (const action of AUDIT_ACTIONS)
      for (const locale of LOCALES) {
        const s = auditSentence(base(action, { data: { kind: 'payout', from: 3, to: 4 } }), locale);
        expectReadable(s, `${action} ${locale}`, locale);
        expect(s, `${action} ${locale}`).toContain(action.startsWith('sanction.expire') ? '#42' : '小王');
      }
  });

  it('names the team and the view of a team view’s entries', () => {
    const input = base('team_view.create', {
      subjectType: 'team_view',
      data: { teamName: '审核组', name: '高优先级待审', workspace: 'listings' },
    });
    expect(auditSentence(input, 'zh-CN')).toBe('小王 向团队「审核组」共享了视图「高优先级待审」');
    expect(auditSentence(input, 'en')).toBe('小王 shared the view “高优先级待审” with 审核组');
  });

  it('gives every case action of every kind a sentence naming who, the kind and the case', () => {
    for (const kind of CASE_KINDS)
      for (const action of Object.keys(CASE_ACTIONS[kind]))
        for (const locale of LOCALES) {
          const s = auditSentence(
            base(`case.perform.${action}`, { data: { kind, body: { note: '已核实' } } }),
            locale,
          );
          expectReadable(s, `${kind}.${action} ${locale}`, locale);
          expect(s).toContain('小王');
          expect(s).toContain('#42');
          expect(s).toContain('已核实');
          const h = caseHistorySentence(
            { actorName: '小王', actorId: 7, action, note: '已核实', data: {} },
            { id: 42, kind },
            locale,
          );
          expectReadable(h, `history ${kind}.${action} ${locale}`, locale);
          expect(h).toContain('#42');
        }
  });

  it('gives every case history event a sentence, the system when nobody acted', () => {
    for (const event of CASE_HISTORY_EVENTS)
      for (const locale of LOCALES) {
        const s = caseHistorySentence(
          { actorName: null, actorId: null, action: event, note: '', data: {} },
          { id: 9, kind: 'payout' },
          locale,
        );
        expectReadable(s, `${event} ${locale}`, locale);
        expect(s).toContain('#9');
      }
    expect(
      caseHistorySentence(
        { actorName: null, actorId: null, action: 'opened', note: '', data: {} },
        { id: 9, kind: 'dispute' },
        'zh-CN',
      ),
    ).toBe('纠纷工单 #9 已创建');
    expect(
      caseHistorySentence(
        { actorName: 'moderator', actorId: 2, action: 'claimed', note: '', data: {} },
        { id: 9, kind: 'report' },
        'en',
      ),
    ).toBe('moderator claimed report case #9');
  });

  it('says the before and after that matter: amounts, roles, settings', () => {
    expect(
      auditSentence(
        base('case.perform.approve_payout', { data: { kind: 'payout', result: { amountFen: 600_000 } } }),
        'zh-CN',
      ),
    ).toBe('小王 批准了 提现工单 #42：¥6,000.00');
    expect(
      auditSentence(
        base('staff.set_roles', {
          subjectType: 'user',
          subjectId: 5,
          data: { before: ['support'], after: ['admin'] },
        }),
        'en',
      ),
    ).toBe('小王 changed the roles of user #5 from Support to Administrator');
    expect(
      auditSentence(
        base('settings.update', {
          subjectType: 'settings',
          subjectId: null,
          data: { before: { disputeEvidenceHours: 72 }, after: { disputeEvidenceHours: 48 } },
        }),
        'zh-CN',
      ),
    ).toBe('小王 修改了运营设置：纠纷举证时长：72 小时 → 48 小时');
  });

  it('says what a macro did with the reply: ended the chat, the priority, the tags added', () => {
    const line = {
      actorName: '客服小陈',
      actorId: 3,
      action: 'reply',
      note: '',
      data: {
        messageId: 5,
        macro: { status: 'resolved', priority: { from: 1, to: 2 }, addedTags: ['退款', '加急'] },
      },
    };
    const zh = caseHistorySentence(line, { id: 9, kind: 'support_chat' }, 'zh-CN');
    expectReadable(zh, 'macro zh', 'zh-CN');
    expect(zh).toMatch(/^客服小陈 回复了 .*#9：结束了会话，优先级 普通 → 高，添加标签 退款、加急$/);
    const en = caseHistorySentence(line, { id: 9, kind: 'support_chat' }, 'en');
    expect(en).toMatch(
      /^客服小陈 replied in .*#9: ended the chat, priority normal → high, tagged 退款, 加急$/,
    );
    // A plain reply says no more than that.
    expect(
      caseHistorySentence({ ...line, data: { messageId: 6 } }, { id: 9, kind: 'support_chat' }, 'zh-CN'),
    ).toMatch(/^客服小陈 回复了 \S+ #9$/);
  });

  it('reads an action it does not know as a generic sentence, never the code', () => {
    for (const locale of LOCALES) {
      const s = auditSentence(base('case.perform.teleport', { data: { kind: 'payout' } }), locale);
      expectReadable(s, locale, locale);
      expect(s).not.toContain('teleport');
      const u = auditSentence(base('robot.dance_party', { subjectType: 'robot_arm' }), locale);
      expectReadable(u, locale, locale);
      const h = caseHistorySentence(
        { actorName: null, actorId: null, action: 'moon_landing', note: '', data: {} },
        { id: 3, kind: 'report' },
        locale,
      );
      expectReadable(h, locale, locale);
    }
  });
});
