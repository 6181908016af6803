import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import type { OrderDetail } from '@jiangxin/shared/api/orders';
import type { OrderStatus } from '@jiangxin/shared/orders';
import { z } from 'zod';
import type { ReadDb, Tx } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { notFound } from '../../platform/http/problem';
import { filesByIds } from '../files/queries';
import { type OrderRow, presentOrder, presentPayment, sideOf } from './presenters';

const idCursor = z.tuple([cursorId]);
const orderNotFound = () => notFound({ zh: '订单不存在', en: 'No such order' });

/** An order as one of its parties sees it; 404 for anyone else (ids do not leak). */
export async function getOrderForParty(
  db: ReadDb | Tx,
  orderId: number,
  userId: number,
): Promise<OrderDetail> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  const side = order ? sideOf(order, userId) : null;
  if (!order || !side) throw orderNotFound();
  return orderDetail(db, order, side);
}

/** The full order: deliveries with their files, revisions, timeline, payment attempts. */
export async function orderDetail(
  db: ReadDb | Tx,
  order: OrderRow,
  viewer: 'client' | 'freelancer' | 'staff' | null,
): Promise<OrderDetail> {
  const [deliveries, revisions, timeline, payments] = await Promise.all([
    db.selectFrom('order_deliveries').selectAll().where('order_id', '=', order.id).orderBy('id').execute(),
    db.selectFrom('order_revisions').selectAll().where('order_id', '=', order.id).orderBy('id').execute(),
    db.selectFrom('order_events').selectAll().where('order_id', '=', order.id).orderBy('id').execute(),
    db.selectFrom('payments').selectAll().where('order_id', '=', order.id).orderBy('id').execute(),
  ]);
  const fileById = await filesByIds(db, [...new Set(deliveries.flatMap((d) => d.file_ids))]);
  return {
    ...presentOrder(order, viewer),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      message: d.message,
      files: d.file_ids.map((id) => fileById.get(id)).filter((f): f is StoredFileInfo => f !== undefined),
      createdAt: new Date(d.created_at).toISOString(),
    })),
    revisions: revisions.map((r) => ({
      id: r.id,
      message: r.message,
      createdAt: new Date(r.created_at).toISOString(),
    })),
    timeline: timeline.map((e) => ({
      action: e.action as OrderDetail['timeline'][number]['action'],
      fromStatus: e.from_status,
      toStatus: e.to_status,
      actorUserId: e.actor_user_id,
      note: e.note,
      createdAt: new Date(e.created_at).toISOString(),
    })),
    payments: payments.map(presentPayment),
  };
}

/** The caller's orders as client, freelancer or either, newest first, keyset-paginated by id. */
export async function listMyOrders(
  db: ReadDb,
  userId: number,
  q: {
    role: 'client' | 'freelancer' | 'any';
    status?: OrderStatus | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const before = q.cursor ? decodeCursor(q.cursor, 'orders', idCursor)[0] : null;
  let query = db.selectFrom('orders').selectAll();
  if (q.role === 'client') query = query.where('client_id', '=', userId);
  else if (q.role === 'freelancer') query = query.where('freelancer_id', '=', userId);
  else query = query.where((eb) => eb.or([eb('client_id', '=', userId), eb('freelancer_id', '=', userId)]));
  if (q.status) query = query.where('status', '=', q.status);
  if (before !== null) query = query.where('id', '<', before);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((o) => presentOrder(o, sideOf(o, userId))),
    nextCursor: rows.length > q.limit ? encodeCursor('orders', [page[page.length - 1]!.id]) : null,
  };
}
