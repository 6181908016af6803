import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setServiceStatus } from '../modules/catalog/commands';
import { checkLedger } from '../modules/ledger/check';
import type { AppContext } from '../platform/context';
import type { Db } from '../platform/db/database';
import { type Sandbox, startSandbox } from '../sandbox/index';
import { ApiClient, signUp } from '../test/client';
import { createCategory, serviceBody } from '../test/factories/catalog';
import { eventually } from '../test/flows';
import { backend, createTestDb, TEST_PII_ENV, type TestApp } from '../test/harness';
import { type CoreChild, freePort, gatewayEnv, startCoreChild } from './core-process';
import { type Load, startLoad } from './load';

/**
 * kill -9 under load (issue 11, finding 4): the production entry of the core as a child process on a
 * PostgreSQL test database, the payment sandbox in this process, buyers placing and paying orders. The
 * core is SIGKILLed mid-load; payments go on at the gateway while it is dead; it is started again on the
 * same database and port. Then: every order the load got a 2xx for is there, every payment reached its
 * order through the sandbox's notification retries (some of which failed while the core was dead), the
 * event `seq` has no gaps, and the ledger checks out.
 */
/** The sandbox's retries: Alipay's schedule ends after ~29 s, WeChat's after ~29 s. */
const SANDBOX_TIME_SCALE = 3000;
/** Orders acknowledged before the kill. */
const ORDERS_BEFORE_KILL = 12;

const skip = backend !== 'postgres' ? 'runs in the core:postgres project' : null;

describe.skipIf(skip !== null)(`kill -9 of the core under load${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let db: Db;
  let dbUrl: string;
  let drop: () => Promise<void>;
  let sandbox: Sandbox;
  let port: number;
  let env: Record<string, string>;
  let dataDir: string;
  const children: CoreChild[] = [];

  beforeAll(async () => {
    const created = await createTestDb();
    db = created.db;
    dbUrl = created.url!;
    drop = created.drop;
    sandbox = await startSandbox({ timeScale: SANDBOX_TIME_SCALE, log: pino({ level: 'silent' }) });
    port = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-crash-'));
    env = {
      ...gatewayEnv(sandbox.credentials),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      // Shared by both lives of the core, so the load's tokens stay valid across the restart.
      JWT_SECRET: randomBytes(32).toString('hex'),
      // Production requires the personal-data keys; both lives of the core use the same.
      ...TEST_PII_ENV,
      REGISTER_LIMIT_PER_HOUR: '100000',
      WRITE_LIMIT_PER_MINUTE: '100000',
      LOGIN_FAILURES_PER_ADDRESS: '100000',
      LOGIN_FAILURES_GLOBAL_PER_MINUTE: '100000',
    };
  });

  afterAll(async () => {
    for (const c of children) await c.kill();
    await sandbox?.close();
    await drop?.();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const c = await startCoreChild({ port, env });
    children.push(c);
    return c;
  };

  it('every acknowledged order survives, pending payment notifications are applied after the restart', async () => {
    const first = await start();
    const api = new ApiClient(first.url);
    const seller = await signUp(api, { userType: 'freelancer', nickname: '老木匠' });
    // A published listing: created through the API, approved as moderation would (the real command).
    const fixture = { db, ctx: { db, now: () => new Date() } as unknown as AppContext } as unknown as TestApp;
    const category = await createCategory(fixture);
    const listing = await seller.api.post('/services', serviceBody(category.id));
    expect(listing.status, JSON.stringify(listing.body)).toBe(201);
    await db.transact(async (tx) => {
      await setServiceStatus(fixture.ctx, tx, listing.body.id, 'published');
    });
    const buyers = await Promise.all([signUp(api), signUp(api), signUp(api), signUp(api)]);
    const conv = await buyers[0]!.api.post('/conversations', { participantId: seller.userId });

    // Every other order is paid at once; the rest wait, and are paid at the gateway while the core is dead.
    let held = 0;
    const unpaid: { payUrl: string; outTradeNo: string; provider: 'alipay' | 'wechat' }[] = [];
    const load: Load = startLoad({
      base: first.url,
      serviceIds: [listing.body.id],
      sellerId: seller.userId,
      buyers: buyers.map((b, i) => ({ token: b.api.token!, provider: i % 2 ? 'wechat' : 'alipay' })),
      login: { login: seller.tokens.user.username, password: 'correct-horse-1' },
      chat: { conversationId: conv.body.id, token: buyers[0]!.api.token! },
      async pay(payment) {
        await fetch(payment.payUrl);
        held += 1;
        if (held % 2) {
          unpaid.push(payment);
          throw new Error('paid later');
        }
        sandbox.pay(payment.outTradeNo, payment.provider);
      },
    });
    try {
      await eventually(() => load.orders.length >= ORDERS_BEFORE_KILL, 30_000);
      await first.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const diedAt = Date.now();
      // The buyers pay at the gateway meanwhile: its notifications find nobody home.
      for (const p of unpaid.splice(0)) sandbox.pay(p.outTradeNo, p.provider);
      const paidWhileDown = load.orders.filter((o) => !o.paid).map((o) => o.outTradeNo);
      await new Promise((r) => setTimeout(r, 1000));

      await start();
      // The load goes on against the new process for a moment (same port, same tokens).
      const restartedAt = Date.now();
      await eventually(
        () => load.samples.some((s) => s.cls === 'write' && s.start > restartedAt && s.status === 201),
        15_000,
      );
      await load.stop();
      for (const p of unpaid.splice(0)) sandbox.pay(p.outTradeNo, p.provider);

      // Every order the core acknowledged is in the database.
      const ids = load.orders.map((o) => o.orderId);
      expect(ids.length).toBeGreaterThan(ORDERS_BEFORE_KILL);
      const rows = await db.read.selectFrom('orders').select('id').where('id', 'in', ids).execute();
      expect(rows.length, 'acknowledged orders in the database').toBe(ids.length);

      // Every payment reaches its order, the ones made while the core was dead by the gateway's retries.
      const trades = load.orders.map((o) => o.outTradeNo);
      await eventually(async () => {
        const paid = await db.read
          .selectFrom('payments')
          .select('out_trade_no')
          .where('out_trade_no', 'in', trades)
          .where('status', '=', 'succeeded')
          .execute();
        return paid.length === trades.length;
      }, 45_000);
      const orders = await db.read.selectFrom('orders').select('status').where('id', 'in', ids).execute();
      expect(new Set(orders.map((o) => o.status))).toEqual(new Set(['pending_acceptance']));
      expect(paidWhileDown.length).toBeGreaterThan(0);
      for (const outTradeNo of paidWhileDown) {
        const log = sandbox.notifications(outTradeNo);
        expect(
          log.some((a) => !a.acknowledged && Date.parse(a.at) >= diedAt),
          `${outTradeNo}: a delivery failed while the core was dead`,
        ).toBe(true);
        expect(log.at(-1)?.acknowledged, `${outTradeNo}: delivered in the end`).toBe(true);
      }

      // The event log: everything committed got its seq, without gaps.
      await eventually(async () => {
        const r = await sql<{ unsequenced: number; n: number; top: number | null }>`
          SELECT count(*) FILTER (WHERE seq IS NULL)::int AS unsequenced, count(seq)::int AS n, max(seq) AS top
          FROM events`.execute(db.read);
        const row = r.rows[0]!;
        return row.unsequenced === 0 && row.n === Number(row.top);
      }, 10_000);

      if (process.env['FAULT_DEBUG'])
        console.log(
          `[crash] ${ids.length} orders acknowledged, ${paidWhileDown.length} paid while the core was dead`,
        );
      const ledger = await checkLedger(db.read);
      expect(ledger.problems).toEqual([]);
      expect(ledger.escrowHeldFen).toBe(ledger.openOrdersFen);
      expect(ledger.escrowHeldFen).toBe(load.orders.reduce((sum, o) => sum + o.amountFen, 0));
    } finally {
      await load.stop();
    }
  });
});
