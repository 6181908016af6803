import { formatFen } from '@jiangxin/shared/money';
import type { CaseActionName } from '@jiangxin/shared/ops/actions';
import {
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  type CaseKind,
} from '@jiangxin/shared/ops/cases';
import { DISPUTE_OUTCOME_LABELS } from '@jiangxin/shared/ops/disputes';
import {
  REJECT_REASON_LABELS,
  REPORT_REASON_LABELS,
  SANCTION_KIND_LABELS,
} from '@jiangxin/shared/ops/moderation';
import { PII_FIELD_LABELS } from '@jiangxin/shared/ops/support';
import { STAFF_ROLE_LABELS } from '@jiangxin/shared/permissions';

/**
 * One sentence per audit entry and per case history line, in the reader's language: who did what to
 * which case or person, with the before/after that matters (a payout's amount, a role change's old → new
 * roles, a setting's old → new value, a rejection's reason). Every known action has its sentence in
 * typed tables — a case action added to `CASE_ACTIONS` without one here fails the typecheck — and an
 * unknown one still reads as a sentence ("审核小王 处理了工单 #12"), never as its code.
 */

export type SentenceLang = 'zh' | 'en';
type Words = { zh: string; en: string };
type Data = Record<string, unknown>;

/** What a sentence is built from: an audit entry or a case history line, in one shape. */
export interface SentenceInput {
  actorName: string | null;
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: number | null;
  data: Data;
  /** Case history lines: the note written with the change. */
  note?: string;
  /** Case history lines: the case's kind (the audit entry carries it in `data.kind`). */
  kind?: CaseKind;
}

const langOf = (locale: string): SentenceLang => (locale.startsWith('zh') ? 'zh' : 'en');

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Data => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});

const yuan = (fen: number): string => formatFen(fen);

function label<T extends string>(table: Record<T, Words>, code: unknown, lang: SentenceLang): string | null {
  return typeof code === 'string' && code in table ? table[code as T][lang] : null;
}

/** A list of role codes as words: ["finance","admin"] → "财务、管理员". */
function roles(v: unknown, lang: SentenceLang): string {
  const list = Array.isArray(v) ? v : [];
  if (list.length === 0) return lang === 'zh' ? '无角色' : 'no role';
  return list
    .map((r) => label(STAFF_ROLE_LABELS, r, lang) ?? (lang === 'zh' ? '其他角色' : 'another role'))
    .join(lang === 'zh' ? '、' : ', ');
}

const SETTING_LABELS: Record<string, Words> = {
  slaMinutes: { zh: '处理时限', en: 'SLA' },
  payoutSecondApprovalFen: { zh: '提现双人审批门槛', en: 'payout second-approval threshold' },
  disputeSecondApprovalFen: { zh: '纠纷双人审批门槛', en: 'dispute second-approval threshold' },
  withdrawalMinFen: { zh: '单笔提现下限', en: 'minimum withdrawal' },
  withdrawalMaxFen: { zh: '单笔提现上限', en: 'maximum withdrawal' },
  disputeEvidenceHours: { zh: '纠纷举证时长', en: 'dispute evidence window' },
};

function settingValue(key: string, v: unknown, lang: SentenceLang): string {
  if (typeof v === 'number') {
    if (key.endsWith('Fen')) return yuan(v);
    if (key.endsWith('Hours')) return lang === 'zh' ? `${v} 小时` : `${v} h`;
    return String(v);
  }
  if (key === 'slaMinutes' && v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([kind, m]) => {
        const k = label(CASE_KIND_LABELS, kind, lang) ?? kind;
        return `${k} ${typeof m === 'number' ? (lang === 'zh' ? `${m} 分钟` : `${m} min`) : '—'}`;
      })
      .join(lang === 'zh' ? '，' : ', ');
  }
  return v === undefined || v === null ? '—' : lang === 'zh' ? '（已更改）' : '(changed)';
}

/** "处理时限：… → …；提现双人审批门槛：¥5,000.00 → ¥6,000.00". */
function settingsChange(data: Data, lang: SentenceLang): string {
  const before = obj(data['before']);
  const after = obj(data['after']);
  const keys = Object.keys({ ...before, ...after, ...obj(data['patch']) });
  return keys
    .map((k) => {
      const name = SETTING_LABELS[k]?.[lang] ?? (lang === 'zh' ? '一项设置' : 'a setting');
      return `${name}${lang === 'zh' ? '：' : ': '}${settingValue(k, before[k], lang)} → ${settingValue(k, after[k], lang)}`;
    })
    .join(lang === 'zh' ? '；' : '; ');
}

/** The facts a decision carried: an amount, a reason, a note. */
function details(data: Data, lang: SentenceLang, note?: string): string[] {
  const body = obj(data['body']);
  const result = obj(data['result']);
  const out: string[] = [];
  const outcome = label(DISPUTE_OUTCOME_LABELS, body['outcome'], lang);
  if (outcome) out.push(outcome);
  const refund = num(body['refundFen']) ?? num(data['refundFen']);
  const release = num(body['releaseFen']) ?? num(data['releaseFen']);
  if (refund !== null) out.push(lang === 'zh' ? `退款 ${yuan(refund)}` : `refund ${yuan(refund)}`);
  if (release !== null) out.push(lang === 'zh' ? `放款 ${yuan(release)}` : `release ${yuan(release)}`);
  const amount = num(result['amountFen']) ?? num(data['amountFen']);
  if (amount !== null && refund === null) out.push(yuan(amount));
  const reason =
    label(REJECT_REASON_LABELS, body['reason'], lang) ??
    label(REPORT_REASON_LABELS, body['reason'], lang) ??
    str(body['reason']) ??
    str(data['reason']);
  if (reason && !/^[a-z_]+$/.test(reason)) out.push(reason);
  const sanction = obj(body['sanction']);
  const kind = label(SANCTION_KIND_LABELS, sanction['kind'], lang);
  if (kind) out.push(lang === 'zh' ? `处罚：${kind}` : `sanction: ${kind.toLowerCase()}`);
  if (body['takedown'] === true) out.push(lang === 'zh' ? '下架内容' : 'content taken down');
  out.push(...macroDetails(obj(data['macro'] ?? result['macro']), lang));
  const text = str(body['note']) ?? str(note) ?? str(data['note']);
  if (text) out.push(text);
  return out;
}

/** What a macro did besides the reply (the core's `macro` summary): ended the chat, priority, tags. */
function macroDetails(macro: Data, lang: SentenceLang): string[] {
  const out: string[] = [];
  if (macro['status'] === 'resolved') out.push(lang === 'zh' ? '结束了会话' : 'ended the chat');
  const priority = obj(macro['priority']);
  const from = num(priority['from']);
  const to = num(priority['to']);
  const level = (n: number) => CASE_PRIORITY_LABELS[n]?.[lang] ?? String(n);
  if (from !== null && to !== null)
    out.push(
      lang === 'zh'
        ? `优先级 ${level(from)} → ${level(to)}`
        : `priority ${level(from).toLowerCase()} → ${level(to).toLowerCase()}`,
    );
  const tags = Array.isArray(macro['addedTags'])
    ? macro['addedTags'].filter((t): t is string => typeof t === 'string')
    : [];
  if (tags.length) out.push(lang === 'zh' ? `添加标签 ${tags.join('、')}` : `tagged ${tags.join(', ')}`);
  return out;
}

const join = (parts: string[], lang: SentenceLang) => parts.join(lang === 'zh' ? '，' : ', ');
const withDetails = (sentence: string, parts: string[], lang: SentenceLang) =>
  parts.length ? `${sentence}${lang === 'zh' ? '：' : ': '}${join(parts, lang)}` : sentence;

interface Ctx {
  who: string;
  /** "纠纷 #12" / "dispute #12" (or "工单 #12" when the kind is unknown). */
  target: string;
  subject: string;
  data: Data;
  lang: SentenceLang;
  note: string | undefined;
}
type Sentence = (c: Ctx) => Words;

const staffRef = (id: unknown, lang: SentenceLang) => {
  const n = num(id);
  return n === null ? (lang === 'zh' ? '无人' : 'nobody') : lang === 'zh' ? `员工 #${n}` : `staff #${n}`;
};

const says =
  (zh: (c: Ctx) => string, en: (c: Ctx) => string): Sentence =>
  (c) => ({ zh: zh(c), en: en(c) });

/** Decisions, per kind and action: every action in `CASE_ACTIONS` must have one (typecheck). */
const DECISIONS: { [K in CaseKind]: { [A in CaseActionName<K>]: Words } } = {
  listing_review: {
    approve: { zh: '通过了', en: 'approved' },
    reject: { zh: '驳回了', en: 'rejected' },
    request_changes: { zh: '要求修改', en: 'asked for changes to' },
  },
  report: {
    dismiss: { zh: '驳回了', en: 'dismissed' },
    uphold: { zh: '认定成立', en: 'upheld' },
  },
  dispute: {
    resolve: { zh: '裁决了', en: 'resolved' },
    approve_resolution: { zh: '复核通过并执行了', en: 'approved and executed the resolution of' },
    reject_resolution: { zh: '驳回了裁决方案', en: 'rejected the proposed resolution of' },
  },
  payout: {
    approve_payout: { zh: '批准了', en: 'approved' },
    reject_payout: { zh: '驳回了', en: 'rejected' },
    close_failed: { zh: '确认打款失败并关闭了', en: 'closed the failed transfer of' },
  },
  support_chat: {
    reply: { zh: '回复了', en: 'replied in' },
    note: { zh: '写了内部备注于', en: 'wrote a private note in' },
    resolve: { zh: '结束了', en: 'resolved' },
    reopen: { zh: '重新打开了', en: 'reopened' },
  },
  reconciliation_mismatch: {
    resolve: { zh: '处理完毕', en: 'resolved' },
  },
};

function decision(kind: CaseKind | undefined, action: string): Words | null {
  if (!kind) return null;
  const table = DECISIONS[kind] as Record<string, Words>;
  return Object.hasOwn(table, action) ? table[action]! : null;
}

const decided =
  (verb: Words): Sentence =>
  (c) => ({
    zh: withDetails(`${c.who} ${verb.zh} ${c.target}`, details(c.data, 'zh', c.note), 'zh'),
    en: withDetails(`${c.who} ${verb.en} ${c.target}`, details(c.data, 'en', c.note), 'en'),
  });

/** The audit log's actions (besides `case.perform.<action>`, built from the decisions above). */
export const AUDIT_ACTIONS = [
  'case.claim',
  'case.release',
  'case.assign',
  'case.transfer',
  'team.presence',
  'team.create',
  'team.update',
  'team_view.create',
  'team_view.replace',
  'team_view.delete',
  'sanction.apply',
  'sanction.revoke',
  'sanction.expire',
  'settings.update',
  'staff.create',
  'staff.set_roles',
  'staff.disable',
  'staff.enable',
  'canned_reply.create',
  'canned_reply.update',
  'canned_reply.delete',
  'pii.reveal',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const PRESENCE: Record<string, Words> = {
  online: { zh: '在线', en: 'online' },
  away: { zh: '离开', en: 'away' },
  offline: { zh: '离线', en: 'offline' },
};
const presence = (v: unknown, lang: SentenceLang) =>
  label(PRESENCE, v, lang) ?? (lang === 'zh' ? '未知' : 'unknown');

/** A team view's team, as its audit entry names it (「审核组」), or nothing. */
const teamOf = (data: Record<string, unknown>) =>
  str(data['teamName']) ? `「${str(data['teamName'])}」` : '';

const AUDIT_SENTENCES: Record<AuditAction, Sentence> = {
  'case.claim': says(
    (c) => `${c.who} 认领了 ${c.target}`,
    (c) => `${c.who} claimed ${c.target}`,
  ),
  'case.release': (c) => ({
    zh: withDetails(`${c.who} 释放了 ${c.target}`, details(c.data, 'zh'), 'zh'),
    en: withDetails(`${c.who} released ${c.target}`, details(c.data, 'en'), 'en'),
  }),
  'case.assign': (c) => ({
    zh: withDetails(
      `${c.data['auto'] === true ? '系统自动' : `${c.who} `}将 ${c.target} 指派给 ${staffRef(c.data['to'], 'zh')}`,
      details(c.data, 'zh'),
      'zh',
    ),
    en: withDetails(
      `${c.data['auto'] === true ? 'Auto-assignment' : c.who} assigned ${c.target} to ${staffRef(c.data['to'], 'en')}`,
      details(c.data, 'en'),
      'en',
    ),
  }),
  'case.transfer': (c) => ({
    zh: withDetails(
      `${c.who} 将 ${c.target} 从 ${staffRef(c.data['from'], 'zh')} 转交给 ${staffRef(c.data['to'], 'zh')}`,
      details(c.data, 'zh'),
      'zh',
    ),
    en: withDetails(
      `${c.who} handed ${c.target} from ${staffRef(c.data['from'], 'en')} to ${staffRef(c.data['to'], 'en')}`,
      details(c.data, 'en'),
      'en',
    ),
  }),
  'team.presence': says(
    (c) => `${c.who} 的状态从「${presence(c.data['from'], 'zh')}」变为「${presence(c.data['to'], 'zh')}」`,
    (c) => `${c.who} went from ${presence(c.data['from'], 'en')} to ${presence(c.data['to'], 'en')}`,
  ),
  'team.create': says(
    (c) => `${c.who} 创建了团队「${str(c.data['name']) ?? c.subject}」`,
    (c) => `${c.who} created the team “${str(c.data['name']) ?? c.subject}”`,
  ),
  'team.update': says(
    (c) => `${c.who} 修改了团队${str(c.data['name']) ? `「${str(c.data['name'])}」` : ` ${c.subject}`}`,
    (c) => `${c.who} changed the team ${str(c.data['name']) ? `“${str(c.data['name'])}”` : c.subject}`,
  ),
  'team_view.create': says(
    (c) => `${c.who} 向团队${teamOf(c.data)}共享了视图「${str(c.data['name']) ?? c.subject}」`,
    (c) =>
      `${c.who} shared the view “${str(c.data['name']) ?? c.subject}” with ${str(c.data['teamName']) ?? 'a team'}`,
  ),
  'team_view.replace': says(
    (c) => `${c.who} 更新了团队${teamOf(c.data)}的共享视图「${str(c.data['name']) ?? c.subject}」`,
    (c) =>
      `${c.who} updated the team view “${str(c.data['name']) ?? c.subject}” of ${str(c.data['teamName']) ?? 'a team'}`,
  ),
  'team_view.delete': says(
    (c) => `${c.who} 删除了团队${teamOf(c.data)}的共享视图「${str(c.data['name']) ?? c.subject}」`,
    (c) =>
      `${c.who} deleted the team view “${str(c.data['name']) ?? c.subject}” of ${str(c.data['teamName']) ?? 'a team'}`,
  ),
  'sanction.apply': (c) => {
    const kindZh = label(SANCTION_KIND_LABELS, c.data['kind'], 'zh') ?? '处罚';
    const kindEn = label(SANCTION_KIND_LABELS, c.data['kind'], 'en') ?? 'a sanction';
    const days = num(c.data['days']);
    return {
      zh: withDetails(
        `${c.who} 对 ${c.subject} 执行了${kindZh}${days ? `（${days} 天）` : ''}`,
        details({ ...c.data, body: c.data }, 'zh'),
        'zh',
      ),
      en: withDetails(
        `${c.who} applied ${kindEn.toLowerCase()}${days ? ` (${days} days)` : ''} to ${c.subject}`,
        details({ ...c.data, body: c.data }, 'en'),
        'en',
      ),
    };
  },
  'sanction.revoke': (c) => ({
    zh: withDetails(
      `${c.who} 撤销了对 ${c.subject} 的${label(SANCTION_KIND_LABELS, c.data['kind'], 'zh') ?? '处罚'}`,
      details(c.data, 'zh'),
      'zh',
    ),
    en: withDetails(
      `${c.who} lifted the ${(label(SANCTION_KIND_LABELS, c.data['kind'], 'en') ?? 'sanction').toLowerCase()} on ${c.subject}`,
      details(c.data, 'en'),
      'en',
    ),
  }),
  'sanction.expire': says(
    (c) => `${c.subject} 的${label(SANCTION_KIND_LABELS, c.data['kind'], 'zh') ?? '处罚'}已到期`,
    (c) =>
      `The ${(label(SANCTION_KIND_LABELS, c.data['kind'], 'en') ?? 'sanction').toLowerCase()} on ${c.subject} expired`,
  ),
  'settings.update': says(
    (c) => withDetails(`${c.who} 修改了运营设置`, [settingsChange(c.data, 'zh')].filter(Boolean), 'zh'),
    (c) => withDetails(`${c.who} changed the settings`, [settingsChange(c.data, 'en')].filter(Boolean), 'en'),
  ),
  'staff.create': says(
    (c) =>
      `${c.who} 创建了员工账号 ${str(c.data['nickname']) ?? ''}${str(c.data['username']) ? `（${str(c.data['username'])}）` : ''}，角色：${roles(c.data['roles'], 'zh')}`,
    (c) =>
      `${c.who} created the staff account ${str(c.data['nickname']) ?? ''}${str(c.data['username']) ? ` (${str(c.data['username'])})` : ''} with roles: ${roles(c.data['roles'], 'en')}`,
  ),
  'staff.set_roles': says(
    (c) =>
      `${c.who} 将 ${c.subject} 的角色从 ${roles(c.data['before'], 'zh')} 改为 ${roles(c.data['after'], 'zh')}`,
    (c) =>
      `${c.who} changed the roles of ${c.subject} from ${roles(c.data['before'], 'en')} to ${roles(c.data['after'], 'en')}`,
  ),
  'staff.disable': (c) => ({
    zh: withDetails(`${c.who} 停用了 ${c.subject}`, details(c.data, 'zh'), 'zh'),
    en: withDetails(`${c.who} disabled ${c.subject}`, details(c.data, 'en'), 'en'),
  }),
  'staff.enable': (c) => ({
    zh: withDetails(
      `${c.who} 重新启用了 ${c.subject}，角色：${roles(c.data['roles'], 'zh')}`,
      details(c.data, 'zh'),
      'zh',
    ),
    en: withDetails(
      `${c.who} re-enabled ${c.subject} with roles: ${roles(c.data['roles'], 'en')}`,
      details(c.data, 'en'),
      'en',
    ),
  }),
  'canned_reply.create': says(
    (c) => `${c.who} 新建了快捷回复「${str(c.data['title']) ?? c.subject}」`,
    (c) => `${c.who} created the canned reply “${str(c.data['title']) ?? c.subject}”`,
  ),
  'canned_reply.update': says(
    // The subject already names it ("快捷回复 #5"): said once, with its title when the entry carries one.
    (c) => {
      const title = str(c.data['title']);
      return title ? `${c.who} 修改了快捷回复「${title}」` : `${c.who} 修改了${c.subject}`;
    },
    (c) => {
      const title = str(c.data['title']);
      return title ? `${c.who} edited the canned reply “${title}”` : `${c.who} edited ${c.subject}`;
    },
  ),
  'canned_reply.delete': says(
    (c) => `${c.who} 删除了快捷回复「${str(c.data['title']) ?? c.subject}」`,
    (c) => `${c.who} deleted the canned reply “${str(c.data['title']) ?? c.subject}”`,
  ),
  'pii.reveal': (c) => {
    const field = (lang: SentenceLang) =>
      label(PII_FIELD_LABELS, c.data['field'], lang) ?? (lang === 'zh' ? '个人信息' : 'personal details');
    return {
      zh: withDetails(`${c.who} 查看了 ${c.subject} 的${field('zh')}`, details(c.data, 'zh'), 'zh'),
      en: withDetails(
        `${c.who} revealed the ${field('en').toLowerCase()} of ${c.subject}`,
        details(c.data, 'en'),
        'en',
      ),
    };
  },
};

/** Case history lines the system and the case commands write (besides the kinds' own actions). */
export const CASE_HISTORY_EVENTS = [
  'opened',
  'updated',
  'claimed',
  'released',
  'assigned',
  'transferred',
  'sla_breached',
  'evidence_added',
  'customer_replied',
  'reopened',
  'paid',
  'transfer_failed',
  'approved',
  'rejected',
  'withdrawn',
  'suspended',
] as const;
export type CaseHistoryEvent = (typeof CASE_HISTORY_EVENTS)[number];

const noted =
  (zh: (c: Ctx) => string, en: (c: Ctx) => string): Sentence =>
  (c) => ({
    zh: withDetails(zh(c), str(c.note) ? [str(c.note)!] : [], 'zh'),
    en: withDetails(en(c), str(c.note) ? [str(c.note)!] : [], 'en'),
  });

const HISTORY_SENTENCES: Record<CaseHistoryEvent, Sentence> = {
  opened: noted(
    (c) => `${c.target} 已创建`,
    (c) => `${cap(c.target)} was opened`,
  ),
  updated: noted(
    (c) => `${c.target} 的内容有更新`,
    (c) => `${cap(c.target)} was updated`,
  ),
  claimed: noted(
    (c) => `${c.who} 认领了 ${c.target}`,
    (c) => `${c.who} claimed ${c.target}`,
  ),
  released: noted(
    (c) => `${c.who} 释放了 ${c.target}`,
    (c) => `${c.who} released ${c.target}`,
  ),
  assigned: (c) => AUDIT_SENTENCES['case.assign'](c),
  transferred: (c) => AUDIT_SENTENCES['case.transfer'](c),
  sla_breached: noted(
    (c) => `${c.target} 超过处理时限`,
    (c) => `${cap(c.target)} passed its SLA`,
  ),
  evidence_added: noted(
    (c) => `当事人为 ${c.target} 补充了证据`,
    (c) => `A party added evidence to ${c.target}`,
  ),
  customer_replied: noted(
    (c) => `客户在 ${c.target} 中回复了`,
    (c) => `The customer replied in ${c.target}`,
  ),
  reopened: noted(
    (c) => `${c.target} 被重新打开`,
    (c) => `${cap(c.target)} was reopened`,
  ),
  paid: noted(
    (c) => `${c.target} 已打款`,
    (c) => `${cap(c.target)} was paid out`,
  ),
  transfer_failed: noted(
    (c) => `${c.target} 打款失败，资金已退回余额`,
    (c) => `The transfer of ${c.target} failed; the money is back on the wallet`,
  ),
  approved: noted(
    (c) => `${c.target} 的服务已上架`,
    (c) => `The listing of ${c.target} was published`,
  ),
  rejected: noted(
    (c) => `${c.target} 的服务已被驳回`,
    (c) => `The listing of ${c.target} was rejected`,
  ),
  withdrawn: noted(
    (c) => `服务商撤回了 ${c.target} 的服务`,
    (c) => `The freelancer withdrew the listing of ${c.target}`,
  ),
  suspended: noted(
    (c) => `${c.target} 的服务已下架`,
    (c) => `The listing of ${c.target} was suspended`,
  ),
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const SUBJECT_LABELS: Record<string, Words> = {
  case: { zh: '工单', en: 'case' },
  user: { zh: '用户', en: 'user' },
  team: { zh: '团队', en: 'team' },
  team_view: { zh: '团队视图', en: 'team view' },
  settings: { zh: '运营设置', en: 'the settings' },
  canned_reply: { zh: '快捷回复', en: 'canned reply' },
  conversation: { zh: '会话', en: 'conversation' },
  payout: { zh: '提现', en: 'payout' },
  dispute: { zh: '纠纷', en: 'dispute' },
  service: { zh: '服务', en: 'listing' },
  order: { zh: '订单', en: 'order' },
};

function contextOf(input: SentenceInput, lang: SentenceLang): Ctx {
  const system = lang === 'zh' ? '系统' : 'The system';
  const who =
    input.actorId === null
      ? system
      : (str(input.actorName) ?? (lang === 'zh' ? `员工 #${input.actorId}` : `Staff #${input.actorId}`));
  const kind = input.kind ?? (typeof input.data['kind'] === 'string' ? (input.data['kind'] as string) : null);
  const kindWord = label(CASE_KIND_LABELS, kind, lang);
  const id = input.subjectId !== null ? ` #${input.subjectId}` : '';
  const caseWord = lang === 'zh' ? '工单' : 'case';
  const target =
    input.subjectType === 'case' || input.kind
      ? kindWord
        ? lang === 'zh'
          ? `${kindWord}工单${id}`
          : `${kindWord.toLowerCase()} case${id}`
        : `${caseWord}${id}`
      : `${SUBJECT_LABELS[input.subjectType]?.[lang] ?? (lang === 'zh' ? '对象' : 'item')}${id}`;
  const subjectWord = SUBJECT_LABELS[input.subjectType]?.[lang] ?? (lang === 'zh' ? '对象' : 'item');
  return {
    who,
    target,
    subject: `${subjectWord}${id}`,
    data: input.data,
    lang,
    note: input.note,
  };
}

/** A readable sentence for anything the tables do not know: who acted on what, never the code. */
function generic(c: Ctx): Words {
  return {
    zh: withDetails(`${c.who} 处理了 ${c.target}`, details(c.data, 'zh', c.note), 'zh'),
    en: withDetails(`${c.who} acted on ${c.target}`, details(c.data, 'en', c.note), 'en'),
  };
}

function isAuditAction(a: string): a is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(a);
}
function isHistoryEvent(a: string): a is CaseHistoryEvent {
  return (CASE_HISTORY_EVENTS as readonly string[]).includes(a);
}

/**
 * The parts of an audit sentence that people wrote or named (the actor, a team's or a canned reply's
 * name, a nickname, a note): every text the entry's data carries that is not a code, for marking them
 * as user content on screen.
 */
export function auditUserParts(input: Pick<SentenceInput, 'actorName' | 'data'>): string[] {
  const out: string[] = [];
  const collect = (v: unknown, depth: number) => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t && !/^[a-z0-9_.:*-]+$/.test(t) && !/^\d{4}-\d{2}-\d{2}T/.test(t)) out.push(t);
    } else if (depth < 3 && v && typeof v === 'object') {
      for (const item of Array.isArray(v) ? v : Object.values(v)) collect(item, depth + 1);
    }
  };
  if (input.actorName) out.push(input.actorName);
  collect(input.data, 0);
  return out;
}

/** The sentence of one audit entry in `locale` ("zh-CN" or "en"). */
export function auditSentence(input: SentenceInput, locale: string): string {
  const lang = langOf(locale);
  const c = contextOf(input, lang);
  if (isAuditAction(input.action)) return AUDIT_SENTENCES[input.action](c)[lang];
  if (input.action.startsWith('case.perform.')) {
    const kind = (input.kind ?? input.data['kind']) as CaseKind | undefined;
    const verb = decision(kind, input.action.slice('case.perform.'.length));
    if (verb) return decided(verb)(c)[lang];
  }
  return generic(c)[lang];
}

/**
 * Some history notes are written by the core itself, in Chinese (a missed SLA, a transfer, a dispute
 * decision's amounts before the staff member's own note, a zh + en pair on two lines). They are read
 * here into the reader's language; `user` is the part of the note people (or the gateway) wrote, which
 * is shown as it is. Any other note is the staff member's own words, as they wrote them.
 */
export function readHistoryNote(
  note: string,
  data: Data,
  lang: SentenceLang,
): { text: string; user: string | null } {
  const n = note.trim();
  if (!n) return { text: '', user: null };
  const both = /^([^\n]*\p{Script=Han}[^\n]*)\n([^\n\p{Script=Han}]+)$/u.exec(n);
  if (both) return { text: lang === 'zh' ? both[1]!.trim() : both[2]!.trim(), user: null };
  const sla = /^超过处理时限（SLA）(\d+) 分钟，已自动升级优先级$/.exec(n);
  if (sla)
    return {
      text:
        lang === 'zh'
          ? `超时 ${sla[1]} 分钟，已自动升级优先级`
          : `${sla[1]} min overdue; priority raised automatically`,
      user: null,
    };
  if (n === '用户在会话结束后再次留言')
    return { text: lang === 'zh' ? n : 'the customer wrote again after the chat ended', user: null };
  const paid = /^已打款，网关单号 (.+)$/s.exec(n);
  if (paid)
    return { text: `${lang === 'zh' ? '网关单号 ' : 'gateway reference '}${paid[1]}`, user: paid[1]! };
  const failed = /^打款失败，资金已退回余额：(.*)$/s.exec(n);
  if (failed) return { text: failed[1]!, user: failed[1]! };
  // A dispute decision: "提议部分退款（…），待复核：note" / "全额退款（…）：note"; its outcome and amounts
  // are in the line's data and said in the reader's language, the note follows.
  if (typeof data['outcome'] === 'string') {
    const decided = /^(?:提议)?[^（：]{1,12}（[^）]*）(?:，待复核)?：(.*)$/s.exec(n);
    if (decided) return { text: decided[1]!.trim(), user: decided[1]!.trim() || null };
  }
  return { text: n, user: n };
}

/**
 * The parts of a history line's sentence that people wrote (the actor's name, their note, a reason
 * typed by staff), for marking them as user content on screen; never a code.
 */
export function caseHistoryUserParts(
  entry: { actorName: string | null; action: string; note: string; data: Data },
  locale: string,
): string[] {
  const body = obj(entry.data['body']);
  const parts = [
    entry.actorName,
    readHistoryNote(entry.note, entry.data, langOf(locale)).user,
    str(body['note']),
    str(entry.data['note']),
    str(body['reason']),
    str(entry.data['reason']),
  ];
  return parts.filter((p): p is string => p !== null && !/^[a-z0-9_.]+$/.test(p));
}

/** The sentence of one line of a case's history (`kind` is the case's). */
export function caseHistorySentence(
  entry: { actorName: string | null; actorId: number | null; action: string; note: string; data: Data },
  c: { id: number; kind: CaseKind },
  locale: string,
): string {
  const lang = langOf(locale);
  const note = readHistoryNote(entry.note, entry.data, lang).text;
  const input: SentenceInput = {
    actorName: entry.actorName,
    actorId: entry.actorId,
    action: entry.action,
    subjectType: 'case',
    subjectId: c.id,
    data: entry.data,
    note,
    kind: c.kind,
  };
  const ctx = contextOf(input, lang);
  if (isHistoryEvent(entry.action)) {
    // A kind's own decision named like a system event (listing review `approve` vs `approved`) is not.
    return HISTORY_SENTENCES[entry.action](ctx)[lang];
  }
  const verb = decision(c.kind, entry.action);
  if (verb) return decided(verb)(ctx)[lang];
  return generic(ctx)[lang];
}

/** A case status as words (for "open → resolved"). */
export const statusWords = (s: string | null, locale: string): string | null =>
  label(CASE_STATUS_LABELS, s, langOf(locale));
