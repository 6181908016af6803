import type { AddressInfo } from 'node:net';
import { formatFen } from '@jiangxin/shared/money';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { idem, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { deliverNotifications } from './delivery';

/** A received message: envelope recipients and the decoded subject and text. */
interface Received {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) of an unfolded header. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function parseMessage(raw: string, to: string[]): Received {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = rest.join('\n\n');
  const cte = headers.get('content-transfer-encoding')?.toLowerCase();
  if (cte === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable')
    body = Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return {
    to,
    subject: decodeHeader(headers.get('subject') ?? ''),
    text: body,
    messageId: headers.get('message-id') ?? '',
  };
}

/** A real SMTP server on 127.0.0.1 that keeps what it accepts and refuses while `refuse` says so. */
async function startSmtp() {
  const received: Received[] = [];
  const state = { refuse: (_to: string[]) => false, refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (state.refuse(to)) {
          state.refused += 1;
          const err = Object.assign(new Error('邮箱暂时无法接收，请稍后重试'), { responseCode: 451 });
          return callback(err);
        }
        received.push(parseMessage(Buffer.concat(chunks).toString('utf8'), to));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let t: TestApp;
let client: Awaited<ReturnType<typeof signUp>>;
let freelancer: { api: ApiClient; userId: number; email: string; phone: string };
let serviceId: number;

const notificationsOf = (userId: number) =>
  t.db.write.selectFrom('notifications').selectAll().where('user_id', '=', userId).orderBy('id').execute();

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startTestApp({
    payments: true,
    env: { SMTP_URL: smtp.url, NOTIFY_RETRY_SECONDS: '60', NOTIFY_MAX_ATTEMPTS: '3' },
  });
  const api = new ApiClient(t.url);
  client = await signUp(api, { userType: 'client', nickname: '王女士' });
  const username = uniqueName('designer');
  const email = `${username}@example.cn`;
  const reg = await api.post('/auth/register', {
    username,
    email,
    password: 'correct-horse-1',
    nickname: '小鱼设计工作室',
    userType: 'freelancer',
  });
  expect(reg.status).toBe(201);
  const phone = `139${String(Date.now()).slice(-8)}`;
  // A verified phone (the code flow is the accounts module's test): SMS goes only to verified numbers.
  await t.db.write
    .updateTable('users')
    .set({
      phone: t.ctx.pii.seal('users.phone', phone),
      phone_bidx: t.ctx.pii.blindIndex('phone', phone),
      phone_verified: true,
    })
    .where('id', '=', reg.body.user.id)
    .execute();
  freelancer = { api: api.as(reg.body.accessToken), userId: reg.body.user.id, email, phone };
  ({ serviceId } = await insertPublishedService(t, freelancer.userId));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('email and SMS notifications through the outbox', () => {
  it('tells the freelancer of a paid order in Chinese, retries a refusing server later and sends once', async () => {
    smtp.state.refuse = () => true;
    const { order } = await placePaidOrder(t, client.api, serviceId);

    // Queued in the payment's transaction: email (has an address) and SMS (verified phone). The SMS row
    // holds no number: the user's phone is sealed, and opened at delivery (below, the SMS reaches it).
    const queued = await notificationsOf(freelancer.userId);
    const orderRows = queued.filter((n) => n.template === 'order_paid_freelancer');
    expect(orderRows.map((n) => [n.channel, n.recipient, n.state])).toEqual([
      ['email', freelancer.email, 'pending'],
      ['sms', null, 'pending'],
    ]);
    // The client registered without an email or phone: nothing for them.
    expect(await notificationsOf(client.userId)).toEqual([]);

    // The SMTP server refuses: the email is retried later, the SMS goes out.
    await t.app.sweep();
    expect(smtp.state.refused).toBeGreaterThanOrEqual(1);
    expect(smtp.received).toEqual([]);
    const email = async () =>
      (await notificationsOf(freelancer.userId)).find((n) => n.id === orderRows[0]!.id)!;
    expect(await email()).toMatchObject({ state: 'pending', attempts: 1 });
    expect((await email()).last_error).toMatch(/451/);
    // The provider fills its registered template with words: the amount as people read it, not fen.
    expect(t.sms.sent.filter((m) => m.template === 'order_paid_freelancer')).toEqual([
      expect.objectContaining({
        phone: freelancer.phone,
        params: expect.objectContaining({
          orderNumber: order.orderNumber,
          amount: formatFen(order.amountFen),
        }),
      }),
    ]);

    // Not due again before its backoff (60 s), even if the server would take it now.
    smtp.state.refuse = () => false;
    await t.app.sweep();
    expect(smtp.received).toEqual([]);

    t.clock.advance(61_000);
    await Promise.all([t.app.sweep(), deliverNotifications(t.ctx)]); // two workers at once
    await t.app.sweep();
    // Also queued for the freelancer earlier: "your listing was approved" (published by the fixture).
    expect(smtp.received.filter((m) => m.subject.includes('已通过审核'))).toHaveLength(1);
    const mine = smtp.received.filter(
      (m) => m.to.includes(freelancer.email) && m.subject.includes(order.orderNumber),
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]!.subject).toBe(`【匠心】新订单 ${order.orderNumber} 已付款，请及时接单`);
    expect(mine[0]!.text).toContain(`客户已为订单 ${order.orderNumber}`);
    expect(mine[0]!.text).toContain(`支付 ${formatFen(order.amountFen)}，款项由平台托管`);
    expect(mine[0]!.text).toContain('请登录匠心尽快确认接单');
    expect(mine[0]!.messageId).toBe(`<notification-${orderRows[0]!.id}@jiangxin>`);
    expect(await email()).toMatchObject({ state: 'sent', attempts: 2 });
    expect(t.sms.sent.filter((m) => m.template === 'order_paid_freelancer')).toHaveLength(1);
  });

  it('notifies the client of a delivery and both sides of completion; gives up after the last attempt', async () => {
    const { order } = await placePaidOrder(t, client.api, serviceId);
    // The client adds an email address now (captured when a notification is queued).
    const clientEmail = `client${client.userId}@example.cn`;
    await t.db.write
      .updateTable('users')
      .set({ email: clientEmail })
      .where('id', '=', client.userId)
      .execute();
    expect((await freelancer.api.post(`/orders/${order.id}/accept`, {}, idem())).status).toBe(200);
    expect(
      (await freelancer.api.post(`/orders/${order.id}/deliver`, { message: '初稿已交付' }, idem())).status,
    ).toBe(200);
    expect((await client.api.post(`/orders/${order.id}/complete`, {}, idem())).status).toBe(200);

    // The client's mailbox refuses everything; the freelancer's accepts.
    smtp.state.refuse = (to) => to.includes(clientEmail);
    for (let i = 0; i < 4; i++) {
      await t.app.sweep();
      t.clock.advance(3_600_000);
    }
    const forClient = await notificationsOf(client.userId);
    expect(forClient.map((n) => [n.template, n.state, n.attempts])).toEqual([
      ['order_delivered_client', 'failed', 3],
      ['order_completed_client', 'failed', 3],
    ]);
    const done = smtp.received.find(
      (m) => m.to.includes(freelancer.email) && m.subject.includes(`订单 ${order.orderNumber} 已完成`),
    );
    expect(done?.text).toMatch(/已转入您的匠心钱包/);
  });

  it('marks email skipped when no SMTP server is configured', async () => {
    const { order } = await placePaidOrder(t, client.api, serviceId);
    const noMail = { ...t.ctx, env: { ...t.ctx.env, SMTP_URL: undefined } };
    await deliverNotifications(noMail);
    const rows = (await notificationsOf(freelancer.userId)).filter(
      (n) => n.template === 'order_paid_freelancer' && n.body.includes(order.orderNumber),
    );
    expect(rows.map((n) => [n.channel, n.state])).toEqual([
      ['email', 'skipped'],
      ['sms', 'sent'],
    ]);
  });
});
