import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Db } from '../../platform/db/database';

/**
 * Test factories for the files and messaging suites: an order between two users written straight to the
 * database (the orders module owns the real flow; these suites only need the parties and the row).
 */
export async function insertOrder(
  db: Db,
  parties: { clientId: number; freelancerId: number },
): Promise<{ orderId: number; serviceId: number }> {
  return db.transact(async (tx) => {
    const slug = `test-${randomBytes(5).toString('hex')}`;
    const category = await tx
      .insertInto('categories')
      .values({ slug, name: 'Design', name_zh: '设计' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const service = await tx
      .insertInto('services')
      .values({
        freelancer_id: parties.freelancerId,
        title: 'Logo design',
        title_zh: '标志设计',
        description: '为您的品牌设计一个独特的标志，包含三次修改。',
        category_id: category.id,
        status: 'published',
        starting_price_fen: 50_000,
        min_delivery_days: 3,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const order = await tx
      .insertInto('orders')
      .values({
        order_number: `T${randomBytes(6).toString('hex')}`,
        client_id: parties.clientId,
        freelancer_id: parties.freelancerId,
        service_id: service.id,
        tier: 'basic',
        service_title: '标志设计',
        amount_fen: 50_000,
        delivery_days: 3,
        revisions_allowed: 1,
        status: 'in_progress',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { orderId: order.id, serviceId: service.id };
  });
}

/** A socket of `token` on the test app that records every event envelope it receives, in order. */
export function connectEvents(url: string, auth: { token: string; lastSeq?: number }) {
  const received: { seq: number; type: string; payload: Record<string, unknown> }[] = [];
  const socket: Socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('event', (e) => received.push(e));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, received, connected };
}

/** Polls `check` until it returns true (or fails after `ms`), for live deliveries. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
