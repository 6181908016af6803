import {
  type CustomerPage,
  DRILLDOWN_LIST_LIMIT,
  type DrilldownCaseRef,
  type MoneyMovement,
  type OrderPage,
} from '@jiangxin/shared/ops/drilldown';
import { maskPhone } from '@jiangxin/shared/ops/support';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { notFound } from '../../platform/http/problem';
import { visibleKinds } from '../cases/queries';
import { reasonText } from '../moderation/sanctions';

/**
 * The drill-down pages' reads (`GET /ops/customers/:id`, `GET /ops/orders/:id`, any member of staff):
 * everything about one customer or one order on one page, each list the newest `DRILLDOWN_LIST_LIMIT`
 * rows with its total. Personal data is masked as in the customer context; cases of kinds the caller may
 * not open show without their title. Read-only and not audited, like the customer context.
 */

const LIMIT = DRILLDOWN_LIST_LIMIT;
const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
const caseRef = (c: { id: number; kind: string; status: string } | undefined): DrilldownCaseRef | null =>
  c ? ({ id: c.id, kind: c.kind, status: c.status } as DrilldownCaseRef) : null;

async function countOf(query: { executeTakeFirst(): Promise<{ n: number | string | bigint } | undefined> }) {
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

/** The newest case of each subject (`kind` + `subject_type`), by subject id. */
async function casesOfSubjects(db: ReadDb, kind: string, subjectType: string, ids: number[]) {
  const byId = new Map<number, { id: number; kind: string; status: string }>();
  if (ids.length === 0) return byId;
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'kind', 'status', 'subject_id'])
    .where('kind', '=', kind as never)
    .where('subject_type', '=', subjectType)
    .where('subject_id', 'in', ids)
    .orderBy('id')
    .execute();
  for (const r of rows) byId.set(r.subject_id, r);
  return byId;
}

/** Cases by their id. */
async function casesById(db: ReadDb, ids: (number | null)[]) {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  const byId = new Map<number, { id: number; kind: string; status: string }>();
  if (wanted.length === 0) return byId;
  for (const r of await db
    .selectFrom('cases')
    .select(['id', 'kind', 'status'])
    .where('id', 'in', wanted)
    .execute())
    byId.set(r.id, r);
  return byId;
}

const noSuchCustomer = () => notFound({ zh: '用户不存在', en: 'No such user' });
const noSuchOrder = () => notFound({ zh: '订单不存在', en: 'No such order' });

export async function customerPage(
  db: ReadDb,
  pii: PiiKeyring,
  _staff: Staff,
  userId: number,
): Promise<CustomerPage> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw noSuchCustomer();
  const ordersQuery = db
    .selectFrom('orders as o')
    .where((eb) => eb.or([eb('o.client_id', '=', userId), eb('o.freelancer_id', '=', userId)]));
  const paymentsQuery = db
    .selectFrom('payments as p')
    .innerJoin('orders as o', 'o.id', 'p.order_id')
    .where('o.client_id', '=', userId);
  const payoutsQuery = db.selectFrom('payouts').where('user_id', '=', userId);
  const disputesQuery = db
    .selectFrom('disputes as d')
    .innerJoin('orders as o', 'o.id', 'd.order_id')
    .where((eb) => eb.or([eb('o.client_id', '=', userId), eb('o.freelancer_id', '=', userId)]));
  const reportsQuery = db
    .selectFrom('reports as r')
    .where((eb) => eb.or([eb('r.reporter_id', '=', userId), eb('r.target_user_id', '=', userId)]));
  const chatsQuery = db.selectFrom('support_conversations as c').where('c.user_id', '=', userId);
  const sanctionsQuery = db.selectFrom('sanctions').where('user_id', '=', userId);

  const [
    orders,
    ordersTotal,
    payments,
    paymentsTotal,
    payouts,
    payoutsTotal,
    disputes,
    disputesTotal,
    reports,
    reportsTotal,
    chats,
    chatsTotal,
    sanctions,
    sanctionsTotal,
  ] = await Promise.all([
    ordersQuery
      .innerJoin('users as cu', 'cu.id', 'o.client_id')
      .innerJoin('users as fu', 'fu.id', 'o.freelancer_id')
      .select([
        'o.id',
        'o.order_number',
        'o.service_title',
        'o.status',
        'o.amount_fen',
        'o.client_id',
        'o.freelancer_id',
        'o.created_at',
        'cu.nickname as client_nickname',
        'fu.nickname as freelancer_nickname',
      ])
      .orderBy('o.id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(ordersQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    paymentsQuery
      .select([
        'p.id',
        'p.order_id',
        'o.order_number',
        'p.provider',
        'p.amount_fen',
        'p.status',
        'p.paid_at',
        'p.created_at',
      ])
      .orderBy('p.id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(paymentsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    payoutsQuery
      .select(['id', 'amount_fen', 'channel', 'status', 'created_at', 'paid_at'])
      .orderBy('id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(payoutsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    disputesQuery
      .select([
        'd.id',
        'd.order_id',
        'o.order_number',
        'o.client_id',
        'd.opened_by',
        'd.status',
        'd.resolution',
        'd.created_at',
        'd.resolved_at',
      ])
      .orderBy('d.id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(disputesQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    reportsQuery
      .leftJoin('users as ru', 'ru.id', 'r.reporter_id')
      .leftJoin('users as tu', 'tu.id', 'r.target_user_id')
      .select([
        'r.id',
        'r.reporter_id',
        'r.target_user_id',
        'r.target_type',
        'r.reason',
        'r.case_id',
        'r.created_at',
        'ru.nickname as reporter_nickname',
        'tu.nickname as target_nickname',
      ])
      .orderBy('r.id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(reportsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    chatsQuery
      .leftJoin('orders as o', 'o.id', 'c.order_id')
      .select([
        'c.id',
        'c.subject',
        'c.order_id',
        'o.order_number',
        'c.status',
        'c.case_id',
        'c.created_at',
        'c.updated_at',
      ])
      .orderBy('c.id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(chatsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
    sanctionsQuery
      .select(['id', 'kind', 'status', 'reason', 'days', 'starts_at', 'ends_at', 'created_at', 'case_id'])
      .orderBy('id', 'desc')
      .limit(LIMIT)
      .execute(),
    countOf(sanctionsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
  ]);

  const [payoutCases, disputeCases, otherCases] = await Promise.all([
    casesOfSubjects(
      db,
      'payout',
      'payout',
      payouts.map((p) => p.id),
    ),
    casesOfSubjects(
      db,
      'dispute',
      'dispute',
      disputes.map((d) => d.id),
    ),
    casesById(db, [
      ...reports.map((r) => r.case_id),
      ...chats.map((c) => c.case_id),
      ...sanctions.map((s) => s.case_id),
    ]),
  ]);
  const byCaseId = (id: number | null) => caseRef(id === null ? undefined : otherCases.get(id));

  return {
    profile: {
      id: user.id,
      username: user.username,
      nickname: user.nickname,
      isClient: user.is_client,
      isFreelancer: user.is_freelancer,
      isStaff: user.staff_roles.length > 0,
      status: user.status,
      suspendedUntil: isoOrNull(user.suspended_until),
      createdAt: iso(user.created_at),
      phone: user.phone === null ? null : maskPhone(pii.open('users.phone', user.phone)),
      phoneVerified: user.phone_verified,
      realNameStatus: user.real_name_status,
    },
    orders: {
      total: ordersTotal,
      items: orders.map((o) => {
        const asClient = o.client_id === userId;
        return {
          id: o.id,
          orderNumber: o.order_number,
          serviceTitle: o.service_title,
          status: o.status,
          amountFen: o.amount_fen,
          role: asClient ? ('client' as const) : ('freelancer' as const),
          counterpart: asClient
            ? { id: o.freelancer_id, nickname: o.freelancer_nickname }
            : { id: o.client_id, nickname: o.client_nickname },
          createdAt: iso(o.created_at),
        };
      }),
    },
    payments: {
      total: paymentsTotal,
      items: payments.map((p) => ({
        id: p.id,
        orderId: p.order_id,
        orderNumber: p.order_number,
        provider: p.provider,
        amountFen: p.amount_fen,
        status: p.status,
        paidAt: isoOrNull(p.paid_at),
        createdAt: iso(p.created_at),
      })),
    },
    payouts: {
      total: payoutsTotal,
      items: payouts.map((p) => ({
        id: p.id,
        amountFen: p.amount_fen,
        channel: p.channel,
        status: p.status,
        createdAt: iso(p.created_at),
        paidAt: isoOrNull(p.paid_at),
        case: caseRef(payoutCases.get(p.id)),
      })),
    },
    disputes: {
      total: disputesTotal,
      items: disputes.map((d) => ({
        id: d.id,
        orderId: d.order_id,
        orderNumber: d.order_number,
        role: d.client_id === userId ? ('client' as const) : ('freelancer' as const),
        openedByCustomer: d.opened_by === userId,
        status: d.status,
        resolution: d.resolution,
        createdAt: iso(d.created_at),
        resolvedAt: isoOrNull(d.resolved_at),
        case: caseRef(disputeCases.get(d.id)),
      })),
    },
    reports: {
      total: reportsTotal,
      items: reports.map((r) => {
        const by = r.reporter_id === userId;
        const counterpart = by
          ? r.target_user_id === null
            ? null
            : { id: r.target_user_id, nickname: r.target_nickname ?? '' }
          : r.reporter_id === null
            ? null
            : { id: r.reporter_id, nickname: r.reporter_nickname ?? '' };
        return {
          id: r.id,
          direction: by ? ('by' as const) : ('against' as const),
          targetType: r.target_type,
          reasonText: reasonText(r.reason),
          counterpart,
          createdAt: iso(r.created_at),
          case: byCaseId(r.case_id),
        };
      }),
    },
    supportChats: {
      total: chatsTotal,
      items: chats.map((c) => ({
        id: c.id,
        subject: c.subject,
        orderId: c.order_id,
        orderNumber: c.order_number ?? null,
        status: c.status,
        createdAt: iso(c.created_at),
        updatedAt: iso(c.updated_at),
        case: byCaseId(c.case_id),
      })),
    },
    sanctions: {
      total: sanctionsTotal,
      items: sanctions.map((s) => ({
        id: s.id,
        kind: s.kind,
        status: s.status,
        reasonText: reasonText(s.reason),
        days: s.days,
        startsAt: iso(s.starts_at),
        endsAt: isoOrNull(s.ends_at),
        createdAt: iso(s.created_at),
        case: byCaseId(s.case_id),
      })),
    },
  };
}

/** One posting's part in the order's story, or null for the pass-through lines. */
function movementOf(p: {
  kind: string;
  entry_type: string | null;
  amount_fen: number;
}): MoneyMovement | null {
  if (p.kind === 'escrow') return p.amount_fen > 0 ? 'escrow_freeze' : 'escrow_out';
  if (p.kind === 'platform_fees') return 'platform_fee';
  if (p.kind === 'user_available' && p.entry_type === 'earning') return 'freelancer_earning';
  if (p.kind === 'user_available' && p.entry_type === 'refund') return 'client_refund';
  if (p.kind === 'user_available' && p.entry_type === 'refund_out') return 'back_to_gateway';
  return null;
}

export async function orderPage(db: ReadDb, staff: Staff, orderId: number): Promise<OrderPage> {
  const order = await db
    .selectFrom('orders as o')
    .innerJoin('users as cu', 'cu.id', 'o.client_id')
    .innerJoin('users as fu', 'fu.id', 'o.freelancer_id')
    .selectAll('o')
    .select(['cu.nickname as client_nickname', 'fu.nickname as freelancer_nickname'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw noSuchOrder();

  const eventsQuery = db.selectFrom('order_events as e').where('e.order_id', '=', orderId);
  const journalsQuery = db.selectFrom('ledger_journals as j').where('j.order_id', '=', orderId);
  const paymentsQuery = db.selectFrom('payments as p').where('p.order_id', '=', orderId);
  const casesQuery = db.selectFrom('cases as c').where('c.order_id', '=', orderId);

  const [events, eventsTotal, journals, journalsTotal, payments, paymentsTotal, cases, casesTotal, escrow] =
    await Promise.all([
      eventsQuery
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .select([
          'e.id',
          'e.action',
          'e.from_status',
          'e.to_status',
          'e.actor_user_id',
          'e.note',
          'e.created_at',
          'u.nickname',
          'u.staff_roles',
        ])
        .orderBy('e.id')
        .limit(LIMIT * 4)
        .execute(),
      countOf(eventsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
      journalsQuery.select(['j.id', 'j.kind', 'j.created_at']).orderBy('j.id').limit(LIMIT).execute(),
      countOf(journalsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
      paymentsQuery
        .select(['p.id', 'p.provider', 'p.amount_fen', 'p.status', 'p.paid_at', 'p.created_at'])
        .orderBy('p.id', 'desc')
        .limit(LIMIT)
        .execute(),
      countOf(paymentsQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
      casesQuery
        .select([
          'c.id',
          'c.kind',
          'c.status',
          'c.stage',
          'c.outcome',
          'c.title',
          'c.amount_fen',
          'c.created_at',
          'c.resolved_at',
        ])
        .orderBy('c.id', 'desc')
        .limit(LIMIT)
        .execute(),
      countOf(casesQuery.select((eb) => eb.fn.countAll<number>().as('n'))),
      db
        .selectFrom('ledger_postings as p')
        .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('p.amount_fen'), eb.lit(0)).as('n'))
        .where('a.kind', '=', 'escrow')
        .where('a.order_id', '=', orderId)
        .executeTakeFirst(),
    ]);

  const postings =
    journals.length === 0
      ? []
      : await db
          .selectFrom('ledger_postings as p')
          .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
          .select(['p.journal_id', 'p.amount_fen', 'p.entry_type', 'a.kind'])
          .where(
            'p.journal_id',
            'in',
            journals.map((j) => j.id),
          )
          .orderBy('p.id')
          .execute();

  const visible = visibleKinds(staff) as string[];
  const actorKind = (id: number | null, roles: string[] | null) => {
    if (id === null) return 'system' as const;
    if (id === order.client_id) return 'client' as const;
    if (id === order.freelancer_id) return 'freelancer' as const;
    return roles && roles.length > 0 ? ('staff' as const) : ('system' as const);
  };

  return {
    order: {
      id: order.id,
      orderNumber: order.order_number,
      serviceId: order.service_id,
      serviceTitle: order.service_title,
      tier: order.tier,
      status: order.status,
      amountFen: order.amount_fen,
      platformFeeFen: order.platform_fee_fen,
      client: { id: order.client_id, nickname: order.client_nickname },
      freelancer: { id: order.freelancer_id, nickname: order.freelancer_nickname },
      revisionsUsed: order.revisions_used,
      revisionsAllowed: order.revisions_allowed,
      createdAt: iso(order.created_at),
      paidAt: isoOrNull(order.paid_at),
      deliveryDeadline: isoOrNull(order.delivery_deadline),
      completedAt: isoOrNull(order.completed_at),
      cancelledAt: isoOrNull(order.cancelled_at),
    },
    timeline: {
      total: eventsTotal,
      items: events.map((e) => ({
        id: e.id,
        at: iso(e.created_at),
        action: e.action,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        actor: {
          kind: actorKind(e.actor_user_id, e.staff_roles),
          id: e.actor_user_id,
          nickname: e.nickname ?? null,
        },
        note: e.note,
      })),
    },
    money: {
      total: journalsTotal,
      escrowFen: Number(escrow?.n ?? 0),
      items: journals.map((j) => ({
        journalId: j.id,
        kind: j.kind,
        at: iso(j.created_at),
        lines: postings
          .filter((p) => p.journal_id === j.id)
          .flatMap((p) => {
            const movement = movementOf(p);
            return movement ? [{ movement, amountFen: Math.abs(p.amount_fen) }] : [];
          }),
      })),
    },
    payments: {
      total: paymentsTotal,
      items: payments.map((p) => ({
        id: p.id,
        orderId: order.id,
        orderNumber: order.order_number,
        provider: p.provider,
        amountFen: p.amount_fen,
        status: p.status,
        paidAt: isoOrNull(p.paid_at),
        createdAt: iso(p.created_at),
      })),
    },
    cases: {
      total: casesTotal,
      items: cases.map((c) => ({
        id: c.id,
        kind: c.kind,
        status: c.status,
        stage: c.stage,
        outcome: c.outcome,
        title: visible.includes(c.kind) ? c.title : null,
        amountFen: c.amount_fen,
        createdAt: iso(c.created_at),
        resolvedAt: isoOrNull(c.resolved_at),
      })),
    },
  };
}
