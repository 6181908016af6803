import type { CaseSummary } from '@jiangxin/shared/ops/cases';

/**
 * What the cache derives from a case summary: the text Chinese search runs over, and the marketplace users
 * and orders the summary names (so search finds "张三" or an order number without a network round trip).
 * Pure functions: the write path and the migrations that backfill old files use the same ones.
 */

/** A deadline with no value sorts as this instant (the core does the same), so "no SLA" comes last. */
export const NO_SLA_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

/** Epoch milliseconds of an ISO date-time, or null; an unparsable value is refused rather than stored as NaN. */
export function toMs(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO date-time: ${iso}`);
  return ms;
}

function collectStrings(value: unknown, out: string[], depth: number): void {
  if (depth > 4) return;
  if (typeof value === 'string') {
    if (value.trim()) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, out, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, out, depth + 1);
  }
}

/** The case title and every string in its kind-specific summary (listing title, order number, names, reason). */
export function caseSearchText(c: CaseSummary): string {
  const parts = [c.title];
  collectStrings(c.summary, parts, 0);
  return parts.join('\n');
}

export interface SeenUser {
  id: number;
  username: string;
  nickname: string;
}

export interface SeenOrder {
  id: number;
  orderNumber: string;
  status: string;
  amountFen: number | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

/**
 * Users a summary names: the case's own `userId` (with `username` / `nickname` / `customerNickname` when
 * the kind carries them) and any `<role>Id` + `<role>Name` pair (a dispute's client and freelancer).
 * A user without any name is not recorded: it could not be found by name anyway.
 */
export function usersFromCase(c: CaseSummary): SeenUser[] {
  const s = c.summary;
  const byId = new Map<number, SeenUser>();
  const add = (id: number | null, username: string, nickname: string) => {
    if (id === null || id <= 0 || (!username && !nickname)) return;
    const known = byId.get(id);
    byId.set(id, {
      id,
      username: username || known?.username || '',
      nickname: nickname || known?.nickname || '',
    });
  };
  add(c.userId, str(s['username']), str(s['nickname']) || str(s['customerNickname']));
  for (const [key, value] of Object.entries(s)) {
    const role = /^([a-z]+)Id$/.exec(key)?.[1];
    if (role) add(int(value), '', str(s[`${role}Name`]));
  }
  return [...byId.values()];
}

/** The order a summary names, when it carries an order number to show and search for. */
export function orderFromCase(c: CaseSummary): SeenOrder | null {
  const s = c.summary;
  const orderNumber = str(s['orderNumber']);
  if (c.orderId === null || !orderNumber) return null;
  return {
    id: c.orderId,
    orderNumber,
    status: str(s['orderStatus']),
    amountFen: int(s['orderAmountFen']) ?? int(s['escrowFen']) ?? (c.kind === 'dispute' ? c.amountFen : null),
  };
}
