import { updateServiceBodySchema } from '@jiangxin/shared/api/catalog';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import { performCaseAction } from '../modules/cases/commands';
import { updateService } from '../modules/catalog/commands';
import { addEvidence } from '../modules/disputes/commands';
import { openConversation, sendMessage } from '../modules/messaging/commands';
import { createReport } from '../modules/moderation/reports';
import { requestWithdrawal } from '../modules/payouts/commands';
import { reconcileDay } from '../modules/payouts/reconcile';
import { getOpsSettings } from '../modules/settings/settings';
import { startConversation } from '../modules/support/commands';
import type { AppContext } from '../platform/context';
import { DEMO_PAYEE_NAME, usualPayoutAccount } from './payouts';

/** What the ops stage left waiting for staff. */
export interface OpsSeedSummary {
  listingReviews: number;
  reports: number;
  disputes: number;
  withdrawals: number;
  supportChats: number;
  reconciliationMismatches: number;
}

/** Contact leaks and a prohibited word worked into some pending listings, so the scanner has work. */
/** The made-up ID number of the demo payees the withdrawal queue's story verifies. */
const DEMO_ID_NUMBER = '110101199003070021';

const LEAKY_LINES = [
  '详细需求欢迎加我微信 jx_8866 沟通，价格可以私下再优惠。',
  '急单可直接电话联系 138 0013 8000（工作日 9:00–18:00）。',
  '承接各类刷单、好评优化，QQ：20481024，量大从优。',
];

const SUPPORT_QUESTIONS = [
  {
    subject: '订单一直没有开工',
    message: '你好，我的订单已经付款两天了，服务商还没有开始，可以帮忙催一下吗？',
    withOrder: true,
  },
  {
    subject: '提现什么时候到账',
    message: '请问提现申请提交后一般多久能到账？我选的是支付宝。',
    withOrder: false,
  },
  { subject: '发票怎么开', message: '公司报销需要增值税普通发票，请问在哪里申请？', withOrder: false },
  {
    subject: '服务商联系不上',
    message: '服务商说好今天交付，但是消息一直不回，我该怎么办？',
    withOrder: true,
  },
];

async function userIdOf(ctx: AppContext, username: string): Promise<number> {
  const u = await ctx.db.fresh
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return u.id;
}

/**
 * Leaves open work of every kind for every role, through the real commands and case actions, so a staff
 * member logging into a fresh `npm start` has a real queue: listings waiting for review (some with contact
 * leaks), reports, disputes at different stages (fresh, with evidence, a large one awaiting its second
 * approval), withdrawals below and above the maker-checker threshold (one half-approved), support chats
 * waiting for an agent and a reconciliation mismatch. Runs after the marketplace is seeded, at the real
 * clock (so the queue is fresh); `awaitingReview` are the draft listings their freelancers submit now. The
 * ops reactions must be wired (`wireOps`), so the domain events open their cases.
 */
export async function seedOpsWork(
  ctx: AppContext,
  awaitingReview: readonly number[],
  log: (msg: string) => void = () => {},
): Promise<OpsSeedSummary> {
  const staff = async (username: string, roles: StaffRole[]) => ({
    userId: await userIdOf(ctx, username),
    roles,
  });
  const admin = await staff('admin', ['admin']);
  const finance1 = await staff('finance1', ['finance']);

  // 1. Their freelancers submit the listings planned as waiting for review (drafts until now) through the
  //    catalog command, whose `service.submitted` opens each review case; the first few add a contact
  //    leak to the description as they submit, for the scanner to find.
  for (const [i, serviceId] of awaitingReview.entries()) {
    const s = await ctx.db.fresh
      .selectFrom('services')
      .select(['freelancer_id', 'description'])
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    const leak = LEAKY_LINES[i];
    const body = updateServiceBodySchema.parse({
      ...(leak ? { description: `${s.description}\n${leak}` } : {}),
      submit: true,
    });
    await updateService(ctx, s.freelancer_id, serviceId, body);
  }
  log(
    `  ops: ${awaitingReview.length} listings waiting for review (${Math.min(awaitingReview.length, LEAKY_LINES.length)} with leaks)`,
  );

  // 2. Reports: two listings reported by clients, and a chat message leaking a WeChat id (the scanner reports it).
  const clients = await ctx.db.fresh
    .selectFrom('users')
    .select('id')
    .where('is_client', '=', true)
    .where('is_freelancer', '=', false)
    .where('username', 'like', 'client%')
    .orderBy('id')
    .limit(6)
    .execute();
  const published = await ctx.db.fresh
    .selectFrom('services')
    .select(['id', 'freelancer_id'])
    .where('status', '=', 'published')
    .orderBy('id')
    .limit(2)
    .execute();
  let reports = 0;
  const reasons = ['contact_info', 'fraud'] as const;
  for (const [i, s] of published.entries()) {
    const reporter = clients[i];
    if (!reporter) break;
    await createReport(ctx, reporter.id, {
      targetType: 'listing',
      targetId: s.id,
      reason: reasons[i % reasons.length]!,
      detail: i === 0 ? '服务商在聊天里让我加微信私下交易。' : '服务描述与实际交付严重不符，疑似骗单。',
    });
    reports += 1;
  }
  const talker = published[0];
  if (talker && clients[2]) {
    const { conversation } = await openConversation(ctx, clients[2].id, {
      participantId: talker.freelancer_id,
      serviceId: talker.id,
      message: '你好，这个服务可以加急吗？',
    });
    await sendMessage(ctx, talker.freelancer_id, conversation.id, {
      type: 'text',
      content: '平台抽成太高了，加我微信 jx_8866 私下付款，给你打九折。',
    });
    reports += 1;
  }
  log(`  ops: ${reports} reports`);

  // 3. Disputes opened while the orders were played: one gets evidence, a large one a proposed split.
  const disputeCases = await ctx.db.fresh
    .selectFrom('cases')
    .select(['id', 'subject_id', 'user_id', 'amount_fen', 'version'])
    .where('kind', '=', 'dispute')
    .where('status', '<>', 'resolved')
    .orderBy('amount_fen', 'desc')
    .execute();
  // Evidence only where the window is still open (the disputes were opened at their story times).
  const stillOpen = await ctx.db.fresh
    .selectFrom('disputes')
    .select('id')
    .where('evidence_until', '>', ctx.now())
    .execute();
  const withEvidence = disputeCases.filter((c) => stillOpen.some((d) => d.id === c.subject_id)).at(-1);
  if (withEvidence?.user_id)
    await addEvidence(ctx, withEvidence.user_id, withEvidence.subject_id, {
      note: '附上双方聊天记录截图说明：交付物与需求文档第 3 条不符，已多次沟通未果。',
      fileIds: [],
    });
  // Only above the second-approval threshold: a proposal there waits for a colleague and moves no money.
  const large = disputeCases[0];
  const settings = await getOpsSettings(ctx.db.fresh);
  if (large?.amount_fen && large.amount_fen > settings.disputeSecondApprovalFen) {
    const refundFen = Math.floor(large.amount_fen / 2);
    await performCaseAction(ctx, admin, large.id, 'resolve', {
      version: large.version,
      outcome: 'split',
      refundFen,
      releaseFen: large.amount_fen - refundFen,
      note: '双方各有责任：已交付部分可用，剩余部分退款。',
    }).catch((err: Error) => log(`  ops: proposed split skipped (${err.message})`));
  }
  log(`  ops: ${disputeCases.length} disputes open`);

  // 4. Withdrawals. The richest freelancer asks for a large one (above the maker-checker threshold, and
  //    far above anything they withdrew before); five others ask for a routine amount to the account
  //    they were paid to before; one asks to be paid to a new account. Only the unusual ones carry risk.
  const freelancers = await sql<{
    user_id: number;
    balance: number;
    largest: number | null;
    disputed: boolean;
  }>`
    SELECT u.id AS user_id, a.balance,
      (SELECT max(p.amount_fen) FROM payouts p WHERE p.user_id = u.id AND p.status = 'paid') AS largest,
      EXISTS (SELECT 1 FROM disputes d JOIN orders o ON o.id = d.order_id
        WHERE (o.client_id = u.id OR o.freelancer_id = u.id) AND d.created_at >= ${new Date(ctx.now().getTime() - 90 * 86_400_000)}) AS disputed
    FROM ledger_accounts a JOIN users u ON a.code = 'user:' || u.id || ':available'
    WHERE u.is_freelancer AND u.staff_roles = '{}' AND a.balance > 0
    ORDER BY a.balance DESC, u.id`.execute(ctx.db.fresh);
  const [richest, ...rest] = freelancers.rows;
  const regulars = rest.filter((r) => r.largest !== null && !r.disputed);
  const requests: { userId: number; amountFen: number; newAccount: boolean }[] = [];
  if (richest)
    requests.push({
      userId: richest.user_id,
      amountFen: Math.min(600_000, richest.balance),
      newAccount: false,
    });
  for (const r of regulars.slice(0, 6)) {
    // Routine: about half the balance, never more than twice the largest earlier payout.
    const amountFen = Math.floor(Math.min(r.balance / 2, Number(r.largest) * 2) / 100) * 100;
    requests.push({ userId: r.user_id, amountFen, newAccount: requests.length === 6 });
  }
  let withdrawals = 0;
  for (const w of requests) {
    if (w.amountFen < 1_000) continue;
    await ctx.db.write
      .updateTable('users')
      .set({
        real_name_status: 'verified',
        real_name: ctx.pii.seal('users.real_name', DEMO_PAYEE_NAME),
        id_number: ctx.pii.seal('users.id_number', DEMO_ID_NUMBER),
        id_number_bidx: ctx.pii.blindIndex('id_number', DEMO_ID_NUMBER),
      })
      .where('id', '=', w.userId)
      .where('real_name_status', '<>', 'verified')
      .execute();
    const who = await ctx.db.fresh
      .selectFrom('users')
      .select('real_name')
      .where('id', '=', w.userId)
      .executeTakeFirstOrThrow();
    const usual = usualPayoutAccount(w.userId);
    const result = await requestWithdrawal(
      ctx,
      w.userId,
      {
        amountFen: w.amountFen,
        channel: usual.channel,
        account: {
          name: ctx.pii.openOrNull('users.real_name', who.real_name) ?? DEMO_PAYEE_NAME,
          number: w.newAccount ? `${usual.number}.new` : usual.number,
        },
      },
      `seed-withdrawal-${w.userId}`,
    );
    if (result.status < 300) withdrawals += 1;
  }
  const bigPayout = await ctx.db.fresh
    .selectFrom('cases')
    .select(['id', 'version'])
    .where('kind', '=', 'payout')
    .where('status', '=', 'open')
    .where('flags', '@>', sql<string[]>`ARRAY['maker_checker']`)
    .orderBy('id')
    .executeTakeFirst();
  if (bigPayout)
    await performCaseAction(ctx, finance1, bigPayout.id, 'approve_payout', { version: bigPayout.version });
  log(`  ops: ${withdrawals} withdrawals${bigPayout ? ' (one large, half-approved)' : ''}`);

  // 5. Support chats waiting for an agent.
  let supportChats = 0;
  for (const [i, q] of SUPPORT_QUESTIONS.entries()) {
    const client = clients[i];
    if (!client) break;
    const order = q.withOrder
      ? await ctx.db.fresh
          .selectFrom('orders')
          .select('id')
          .where('client_id', '=', client.id)
          .orderBy('id', 'desc')
          .executeTakeFirst()
      : undefined;
    await startConversation(ctx, client.id, {
      subject: q.subject,
      message: q.message,
      ...(order ? { orderId: order.id } : {}),
    });
    supportChats += 1;
  }
  log(`  ops: ${supportChats} support chats waiting`);

  // 6. A reconciliation mismatch: the gateway's statement of a quiet day shows a transfer the ledger
  //    never booked (made by hand in the gateway console, say).
  const quietDay = '2024-01-02';
  const { opened } = await reconcileDay(ctx, quietDay, {
    statement: async () => [
      {
        kind: 'transfer',
        provider: 'alipay',
        reference: 'MANUAL-20240102-0001',
        amountFen: 88_800,
        status: 'succeeded',
      },
    ],
  });
  log(`  ops: ${opened} reconciliation mismatch`);

  return {
    listingReviews: awaitingReview.length,
    reports,
    disputes: disputeCases.length,
    withdrawals,
    supportChats,
    reconciliationMismatches: opened,
  };
}
