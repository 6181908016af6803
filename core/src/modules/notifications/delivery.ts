import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../platform/context';

/** One nodemailer transport per SMTP URL (a connection per message: nothing to close). */
const transports = new Map<string, Transporter>();
function mailer(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    // Timeouts well inside the claim lease, so a hung server cannot outlive the claim.
    t = nodemailer.createTransport(url, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as never);
    transports.set(url, t);
  }
  return t;
}

/** How long a claimed notification stays with the worker that claimed it. */
const LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 3_600_000;

interface Claimed {
  id: number;
  user_id: number;
  channel: 'email' | 'sms';
  template: string;
  /** Email: the address. SMS: sealed, or null for the user's verified phone (see `smsRecipient`). */
  recipient: string | null;
  subject: string;
  body: string;
  params: Record<string, unknown>;
  attempts: number;
}

/**
 * Delivers due notifications. Each batch is claimed atomically (`FOR UPDATE SKIP LOCKED`, state `sending`
 * with a lease, attempt counted), so concurrent workers never send the same row; a row is finished only
 * by the claim that holds it (same state and attempt). Failures retry with exponential backoff
 * (NOTIFY_RETRY_SECONDS × 2^(attempt−1), capped at an hour, divided by TIME_SCALE) until
 * NOTIFY_MAX_ATTEMPTS, then `failed`. Email without SMTP_URL is `skipped`. A worker that dies mid-send
 * leaves its row to be retried after the lease: the Message-ID is stable per notification, so a
 * receiving server can recognise such a repeat. Returns how many were sent.
 */
export async function deliverNotifications(ctx: AppContext, batch = 50): Promise<number> {
  let sent = 0;
  for (;;) {
    const claimed = await claim(ctx, batch);
    for (const n of claimed) if (await deliverOne(ctx, n)) sent += 1;
    if (claimed.length < batch) return sent;
  }
}

/**
 * The first attempt at one notification, now, in the caller's request (a verification code should not
 * wait for the job's next pass); a failure leaves it to the job's retries. True when it was sent.
 */
export async function deliverNotificationNow(ctx: AppContext, id: number): Promise<boolean> {
  const [n] = await claim(ctx, 1, id);
  return n ? deliverOne(ctx, n) : false;
}

async function claim(ctx: AppContext, batch: number, only?: number): Promise<Claimed[]> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + LEASE_MS);
  const r = await sql<Claimed>`
    UPDATE notifications n SET state = 'sending', lease_until = ${lease}, attempts = n.attempts + 1,
      updated_at = ${now}
    WHERE n.id IN (
      SELECT id FROM notifications
      WHERE ((state = 'pending' AND next_attempt_at <= ${now}) OR (state = 'sending' AND lease_until <= ${now}))
        ${only === undefined ? sql`` : sql`AND id = ${only}`}
      ORDER BY next_attempt_at, id
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING n.id, n.user_id, n.channel, n.template, n.recipient, n.subject, n.body, n.params, n.attempts`.execute(
    ctx.db.write,
  );
  return r.rows.sort((a, b) => a.id - b.id);
}

/**
 * The number an SMS goes to, opened in this process (the database holds it sealed): the row's own number
 * (a verification code to the phone being verified), or else the user's phone as it is now — null, and
 * the message skipped, when they no longer have a verified one. One read per SMS, at delivery, off the
 * path of the request that queued it. A number that fails its integrity check throws: the attempt fails.
 */
async function smsRecipient(ctx: AppContext, n: Claimed): Promise<string | null> {
  if (n.recipient !== null) return ctx.pii.open('notifications.recipient', n.recipient);
  const u = await ctx.db.write
    .selectFrom('users')
    .select(['phone', 'phone_verified'])
    .where('id', '=', n.user_id)
    .executeTakeFirst();
  return u?.phone_verified && u.phone ? ctx.pii.open('users.phone', u.phone) : null;
}

async function deliverOne(ctx: AppContext, n: Claimed): Promise<boolean> {
  let error: string | null = null;
  let skipped = false;
  try {
    if (n.channel === 'email') {
      if (!ctx.env.SMTP_URL) skipped = true;
      else
        await mailer(ctx.env.SMTP_URL).sendMail({
          from: ctx.env.MAIL_FROM,
          to: n.recipient ?? '',
          subject: n.subject,
          text: n.body,
          messageId: `<notification-${n.id}@jiangxin>`,
        });
    } else {
      const phone = await smsRecipient(ctx, n);
      if (phone === null) skipped = true;
      else {
        const params = Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, String(v)]));
        await ctx.sms.send(phone, n.template, params);
      }
    }
  } catch (err) {
    error = (err as Error).message?.slice(0, 1000) || String(err);
  }
  const now = ctx.now();
  const finished = ctx.db.write
    .updateTable('notifications')
    .where('id', '=', n.id)
    .where('state', '=', 'sending')
    .where('attempts', '=', n.attempts);
  if (skipped) {
    await finished.set({ state: 'skipped', lease_until: null, updated_at: now }).execute();
    return false;
  }
  // A verification code's copy in the outbox is erased once it is no longer needed (sent or given up).
  const erase = n.template === 'verification_code' ? { params: '{}' } : {};
  if (!error) {
    await finished
      .set({ state: 'sent', lease_until: null, sent_at: now, updated_at: now, ...erase })
      .execute();
    return true;
  }
  const giveUp = n.attempts >= ctx.env.NOTIFY_MAX_ATTEMPTS;
  const backoff =
    Math.min(MAX_BACKOFF_MS, ctx.env.NOTIFY_RETRY_SECONDS * 1000 * 2 ** (n.attempts - 1)) /
    ctx.env.TIME_SCALE;
  await finished
    .set({
      state: giveUp ? 'failed' : 'pending',
      lease_until: null,
      last_error: error,
      ...(giveUp ? erase : {}),
      next_attempt_at: new Date(now.getTime() + backoff),
      updated_at: now,
    })
    .execute();
  ctx.log.warn(
    { notificationId: n.id, channel: n.channel, attempt: n.attempts, error },
    'notification failed',
  );
  return false;
}
