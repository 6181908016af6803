import type { CaseSummary, OpsDirectory } from '@jiangxin/shared/ops/cases';
import { maskPhone } from '@jiangxin/shared/ops/support';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';

/** Summary keys that hold a marketplace user's id (a dispute's parties, the side that opened it). */
const USER_KEYS = ['clientId', 'freelancerId', 'openedBy', 'customerId'] as const;

const positiveInt = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;

/** The users and orders some cases name: their own user and order, and the users their summary names. */
export function namedIn(cases: readonly CaseSummary[]): { userIds: number[]; orderIds: number[] } {
  const users = new Set<number>();
  const orders = new Set<number>();
  for (const c of cases) {
    if (c.userId !== null) users.add(c.userId);
    if (c.orderId !== null) orders.add(c.orderId);
    for (const key of USER_KEYS) {
      const id = positiveInt(c.summary[key]);
      if (id !== null) users.add(id);
    }
    // A report about a user names that user.
    if (c.summary['targetType'] === 'user') {
      const id = positiveInt(c.summary['targetId']);
      if (id !== null) users.add(id);
    }
  }
  return { userIds: [...users], orderIds: [...orders] };
}

/**
 * What the console's offline cache may hold about these users and orders, for the staff member asking:
 * the same as the customer panel shows them — handle, display name, the phone number masked for every
 * role (the clear number only through the audited `pii.reveal` route, never in bulk), and the order's
 * number, status and amount. The caller has already checked that the member may see the cases naming them.
 */
export async function directoryFor(
  db: ReadDb,
  pii: PiiKeyring,
  _staff: Staff,
  ids: { userIds: readonly number[]; orderIds: readonly number[] },
): Promise<OpsDirectory> {
  const [users, orders] = await Promise.all([
    ids.userIds.length
      ? db
          .selectFrom('users')
          .select(['id', 'username', 'nickname', 'phone'])
          .where('id', 'in', [...ids.userIds])
          .orderBy('id')
          .execute()
      : [],
    ids.orderIds.length
      ? db
          .selectFrom('orders')
          .select(['id', 'order_number', 'status', 'amount_fen'])
          .where('id', 'in', [...ids.orderIds])
          .orderBy('id')
          .execute()
      : [],
  ]);
  return {
    users: users.map((u) => ({
      id: u.id,
      username: u.username,
      nickname: u.nickname,
      phoneMasked: u.phone === null ? null : maskPhone(pii.open('users.phone', u.phone)),
    })),
    orders: orders.map((o) => ({
      id: o.id,
      orderNumber: o.order_number,
      status: o.status,
      amountFen: o.amount_fen,
    })),
  };
}
