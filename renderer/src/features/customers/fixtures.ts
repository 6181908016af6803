import type { CustomerPage, OrderPage } from '@jiangxin/shared/ops/drilldown';

/** A freelancer with something in every list, as the core answers `GET /ops/customers/:id`. */
export const customerFixture: CustomerPage = {
  profile: {
    id: 12,
    username: 'xiaoyu_design',
    nickname: '小鱼设计工作室',
    isClient: false,
    isFreelancer: true,
    isStaff: false,
    status: 'suspended',
    suspendedUntil: '2026-12-20T00:00:00.000Z',
    createdAt: '2026-10-01T02:00:00.000Z',
    phone: '137****7000',
    phoneVerified: true,
    realNameStatus: 'verified',
  },
  orders: {
    total: 51,
    items: [
      {
        id: 7,
        orderNumber: 'JX20261127000007',
        serviceTitle: '品牌 LOGO 设计',
        status: 'disputed',
        amountFen: 20_000,
        role: 'freelancer',
        counterpart: { id: 30, nickname: '王女士' },
        createdAt: '2026-11-27T02:00:00.000Z',
      },
    ],
  },
  payments: { total: 0, items: [] },
  payouts: {
    total: 1,
    items: [
      {
        id: 5,
        amountFen: 10_000,
        channel: 'alipay',
        status: 'pending_review',
        createdAt: '2026-11-28T02:00:00.000Z',
        paidAt: null,
        case: { id: 81, kind: 'payout', status: 'open' },
      },
    ],
  },
  disputes: {
    total: 1,
    items: [
      {
        id: 3,
        orderId: 7,
        orderNumber: 'JX20261127000007',
        role: 'freelancer',
        openedByCustomer: false,
        status: 'open',
        resolution: null,
        createdAt: '2026-11-28T03:00:00.000Z',
        resolvedAt: null,
        case: { id: 82, kind: 'dispute', status: 'open' },
      },
    ],
  },
  reports: {
    total: 1,
    items: [
      {
        id: 9,
        direction: 'against',
        targetType: 'user',
        reasonText: { zh: '欺诈', en: 'Fraud' },
        counterpart: { id: 30, nickname: '王女士' },
        createdAt: '2026-11-28T04:00:00.000Z',
        case: { id: 83, kind: 'report', status: 'open' },
      },
    ],
  },
  supportChats: { total: 0, items: [] },
  sanctions: {
    total: 1,
    items: [
      {
        id: 4,
        kind: 'suspend',
        status: 'active',
        reasonText: { zh: '垃圾广告', en: 'Spam' },
        days: 14,
        startsAt: '2026-12-06T00:00:00.000Z',
        endsAt: '2026-12-20T00:00:00.000Z',
        createdAt: '2026-12-06T00:00:00.000Z',
        case: null,
      },
    ],
  },
};

/** A completed order's page, as the core answers `GET /ops/orders/:id`. */
export const orderFixture: OrderPage = {
  order: {
    id: 7,
    orderNumber: 'JX20261127000007',
    serviceId: 4,
    serviceTitle: '品牌 LOGO 设计',
    tier: 'standard',
    status: 'completed',
    amountFen: 20_000,
    platformFeeFen: 2_000,
    client: { id: 30, nickname: '王女士' },
    freelancer: { id: 12, nickname: '小鱼设计工作室' },
    revisionsUsed: 1,
    revisionsAllowed: 3,
    createdAt: '2026-11-27T02:00:00.000Z',
    paidAt: '2026-11-27T02:05:00.000Z',
    deliveryDeadline: '2026-12-04T02:05:00.000Z',
    completedAt: '2026-11-30T02:00:00.000Z',
    cancelledAt: null,
  },
  timeline: {
    total: 3,
    items: [
      {
        id: 1,
        at: '2026-11-27T02:00:00.000Z',
        action: 'created',
        fromStatus: null,
        toStatus: 'awaiting_payment',
        actor: { kind: 'client', id: 30, nickname: '王女士' },
        note: '',
      },
      {
        id: 2,
        at: '2026-11-27T02:05:00.000Z',
        action: 'mark_paid',
        fromStatus: 'awaiting_payment',
        toStatus: 'pending_acceptance',
        actor: { kind: 'system', id: null, nickname: null },
        note: '',
      },
      {
        id: 3,
        at: '2026-11-30T02:00:00.000Z',
        action: 'complete',
        fromStatus: 'delivered',
        toStatus: 'completed',
        actor: { kind: 'client', id: 30, nickname: '王女士' },
        note: '',
      },
    ],
  },
  money: {
    total: 2,
    escrowFen: 0,
    items: [
      {
        journalId: 41,
        kind: 'order_payment',
        at: '2026-11-27T02:05:00.000Z',
        lines: [{ movement: 'escrow_freeze', amountFen: 20_000 }],
      },
      {
        journalId: 42,
        kind: 'order_release',
        at: '2026-11-30T02:00:00.000Z',
        lines: [
          { movement: 'escrow_out', amountFen: 20_000 },
          { movement: 'freelancer_earning', amountFen: 18_000 },
          { movement: 'platform_fee', amountFen: 2_000 },
        ],
      },
    ],
  },
  payments: {
    total: 1,
    items: [
      {
        id: 6,
        orderId: 7,
        orderNumber: 'JX20261127000007',
        provider: 'wechat',
        amountFen: 20_000,
        status: 'succeeded',
        paidAt: '2026-11-27T02:05:00.000Z',
        createdAt: '2026-11-27T02:00:00.000Z',
      },
    ],
  },
  cases: {
    total: 2,
    items: [
      {
        id: 90,
        kind: 'support_chat',
        status: 'resolved',
        stage: 'resolved',
        outcome: 'resolved',
        title: null,
        amountFen: null,
        createdAt: '2026-11-29T02:00:00.000Z',
        resolvedAt: '2026-11-29T03:00:00.000Z',
      },
      {
        id: 82,
        kind: 'dispute',
        status: 'resolved',
        stage: 'release',
        outcome: 'release',
        title: '订单 JX20261127000007 纠纷：品牌 LOGO 设计',
        amountFen: 20_000,
        createdAt: '2026-11-28T03:00:00.000Z',
        resolvedAt: '2026-11-30T02:00:00.000Z',
      },
    ],
  },
};
