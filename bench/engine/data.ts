/**
 * Synthetic but realistic cases for bench:engine: Chinese titles and kind-specific summaries shaped like
 * the ones the core's case kinds write (listing review, report, dispute, support chat, payout), built from
 * the demo seed's catalog titles and people names plus a list of everyday service words, with a fixed-seed
 * PRNG — so the same options produce the same cases, and trigram search sees a realistic spread of
 * frequent and rare substrings.
 */
import type { CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import { CATEGORIES } from '../../core/src/seed/catalog-data';
import { GIVEN_NAME_CHARS, NICKNAME_WORDS, SURNAMES } from '../../core/src/seed/people-data';
import { Rng } from '../../core/src/seed/random';
import { DISPUTE_REASONS } from '../../core/src/seed/story-data';

/** Every zh listing title of the demo catalog (88), e.g. 企业官网定制开发 响应式 含后台. */
const CATALOG_TITLES = CATEGORIES.flatMap((top) =>
  top.children.flatMap((leaf) => leaf.titles.map((t) => t.zh)),
);

/** What people actually type into a request or a listing (short, very frequent words). */
const SERVICE_WORDS = [
  '海报设计',
  '小程序开发',
  '品牌 logo',
  '英语翻译',
  '日语翻译',
  '视频剪辑',
  '公众号运营',
  '电商详情页',
  'UI 设计',
  'APP 开发',
  '短视频拍摄',
  '文案策划',
  'PPT 美化',
  '数据分析',
  '网站建设',
  '插画绘制',
  '三维建模',
  '商业配音',
  '包装设计',
  '商标注册',
  '法律咨询',
  '简历优化',
  '论文润色',
  '直播带货脚本',
  '企业宣传片',
  '名片设计',
  '室内效果图',
  '爬虫脚本',
  '微信小游戏',
  '抖音代运营',
];

const REPORT_REASONS = ['站外交易引导', '虚假宣传', '抄袭他人作品', '违禁内容', '恶意刷单', '辱骂用户'];
const SUPPORT_SUBJECTS = [
  '订单一直没有交付怎么办',
  '付款后没有收到确认短信',
  '想修改订单需求',
  '申请开具发票',
  '服务商联系不上',
  '退款什么时候到账',
  '账号被限制登录',
  '如何成为服务商',
];
const PAYOUT_CHANNELS = ['alipay', 'bank'];

/** A user's display name, the same for the same id (so the cache's users_seen stays consistent). */
export function nameOf(userId: number): string {
  const r = new Rng(userId * 7919);
  if (r.chance(0.25)) return `${r.pick(NICKNAME_WORDS)}${r.pick(GIVEN_NAME_CHARS)}`;
  const given = r.chance(0.6) ? 2 : 1;
  let s = r.pick(SURNAMES);
  for (let i = 0; i < given; i++) s += r.pick(GIVEN_NAME_CHARS);
  return s;
}

/** JX + date + 6 digits, the same for the same order id. */
export function orderNumberOf(orderId: number): string {
  const day = new Date(Date.UTC(2026, 0, 1) + (orderId % 330) * 86_400_000);
  const ymd = day.toISOString().slice(0, 10).replaceAll('-', '');
  return `JX${ymd}${String(orderId % 1_000_000).padStart(6, '0')}`;
}

/** The fields of a case that depend on its kind, before the queue bookkeeping (times, version, holder). */
export interface CaseContent {
  kind: CaseKind;
  stage: string;
  subjectType: string;
  subjectId: number;
  userId: number | null;
  orderId: number | null;
  amountFen: number | null;
  priority: number;
  title: string;
  summary: Record<string, unknown>;
  flags: CaseSummary['flags'];
}

const serviceTitle = (rng: Rng) =>
  rng.chance(0.6) ? rng.pick(CATALOG_TITLES) : `${rng.pick(SERVICE_WORDS)}${rng.chance(0.5) ? ' 加急' : ''}`;

/**
 * The content of case `id`. `kinds` restricts the kinds (the PostgreSQL data set uses the ones a moderator
 * sees); `withRefs` false leaves userId/orderId null (PostgreSQL has foreign keys on them).
 */
export function caseContent(
  id: number,
  opts: { kinds: readonly CaseKind[]; withRefs: boolean; users?: number; orders?: number },
): CaseContent {
  const rng = new Rng(id * 2_654_435_761);
  const kind = rng.pick(opts.kinds);
  const userId = 1 + rng.int(0, (opts.users ?? 50_000) - 1);
  const orderId = 1 + rng.int(0, (opts.orders ?? 300_000) - 1);
  const user = nameOf(userId);
  const ref = <T>(v: T) => (opts.withRefs ? v : null);
  switch (kind) {
    case 'listing_review': {
      const titleZh = `${serviceTitle(rng)}${rng.chance(0.3) ? ` · ${user}工作室` : ''}`;
      const hits = rng.chance(0.1) ? rng.int(1, 3) : 0;
      return {
        kind,
        stage: rng.chance(0.2) ? 'resubmitted' : 'submitted',
        subjectType: 'service',
        subjectId: id,
        userId: ref(userId),
        orderId: null,
        amountFen: null,
        priority: hits ? 2 : 1,
        title: titleZh,
        summary: { serviceId: id, title: titleZh, titleZh, resubmission: false, hitCount: hits },
        flags: hits ? ['contact_leak'] : [],
      };
    }
    case 'report': {
      const reasons = rng.sample(REPORT_REASONS, rng.int(1, 2));
      return {
        kind,
        stage: 'reported',
        subjectType: 'service',
        subjectId: id,
        userId: ref(userId),
        orderId: null,
        amountFen: null,
        priority: rng.int(1, 2),
        title: `${serviceTitle(rng)}（${user}）`,
        summary: { targetType: 'service', targetId: id, reportCount: rng.int(1, 5), reasons },
        flags: [],
      };
    }
    case 'dispute': {
      const orderNumber = orderNumberOf(orderId);
      const service = serviceTitle(rng);
      const freelancerId = 1 + ((userId * 31) % (opts.users ?? 50_000));
      const amount = rng.int(50, 20_000) * 100;
      return {
        kind,
        stage: 'open',
        subjectType: 'dispute',
        subjectId: id,
        userId: ref(userId),
        orderId: ref(orderId),
        amountFen: amount,
        priority: amount > 500_000 ? 2 : 1,
        title: `订单 ${orderNumber} 纠纷：${service}`,
        summary: {
          disputeId: id,
          orderNumber,
          serviceTitle: service,
          reason: rng.pick(DISPUTE_REASONS),
          openedBy: userId,
          openedBySide: 'client',
          clientId: userId,
          clientName: user,
          freelancerId,
          freelancerName: nameOf(freelancerId),
          escrowFen: amount,
        },
        flags: amount > 500_000 ? ['maker_checker'] : [],
      };
    }
    case 'support_chat': {
      const subject = rng.pick(SUPPORT_SUBJECTS);
      const orderNumber = rng.chance(0.5) ? orderNumberOf(orderId) : null;
      return {
        kind,
        stage: 'awaiting_agent',
        subjectType: 'support_conversation',
        subjectId: id,
        userId: ref(userId),
        orderId: orderNumber ? ref(orderId) : null,
        amountFen: null,
        priority: 1,
        title: subject,
        summary: { conversationId: id, subject, customerNickname: user, orderNumber },
        flags: [],
      };
    }
    default: {
      const amount = rng.int(100, 50_000) * 100;
      return {
        kind,
        stage: 'awaiting_approval',
        subjectType: 'payout',
        subjectId: id,
        userId: ref(userId),
        orderId: null,
        amountFen: amount,
        priority: amount > 1_000_000 ? 2 : 1,
        title: `提现 ¥${(amount / 100).toFixed(2)} · ${user}`,
        summary: {
          payoutId: id,
          channel: rng.pick(PAYOUT_CHANNELS),
          accountName: `${user.slice(0, 1)}*`,
          accountMasked: `****${String(userId % 10_000).padStart(4, '0')}`,
          requiredApprovals: 1,
          approvals: [],
          riskSignals: [],
        },
        flags: [],
      };
    }
  }
}

const BASE = Date.UTC(2026, 9, 1);

/** A complete queue row (what `case.upserted` carries) for the cache-only measurements. */
export function makeSummary(
  id: number,
  opts: { kinds: readonly CaseKind[]; users?: number; orders?: number; version?: number },
): CaseSummary {
  const c = caseContent(id, { ...opts, withRefs: true });
  const created = BASE + id * 1_000;
  const open = id % 5 !== 0;
  return {
    id,
    kind: c.kind,
    status: open ? 'open' : 'resolved',
    stage: c.stage,
    priority: c.priority,
    assigneeId: id % 7 === 0 ? 900 + (id % 20) : null,
    assigneeName: id % 7 === 0 ? nameOf(900 + (id % 20)) : null,
    version: opts.version ?? 1,
    slaDueAt: open ? new Date(created + 3_600_000 * (1 + (id % 48))).toISOString() : null,
    slaBreached: false,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    userId: c.userId,
    orderId: c.orderId,
    amountFen: c.amountFen,
    title: c.title,
    summary: c.summary,
    flags: c.flags,
    outcome: open ? null : 'approved',
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created + 60_000).toISOString(),
    resolvedAt: open ? null : new Date(created + 120_000).toISOString(),
  };
}

/** Every kind (the 1M-row search cache belongs to an admin, who sees them all). */
export const ALL_KINDS: readonly CaseKind[] = [
  'listing_review',
  'listing_review',
  'report',
  'dispute',
  'support_chat',
  'payout',
];
/** The kinds a moderator sees (the PostgreSQL data set is all visible to the bench's moderator). */
export const MODERATOR_KINDS: readonly CaseKind[] = ['listing_review', 'listing_review', 'report', 'dispute'];
