import type { LedgerPosting, LedgerTransaction } from '@jiangxin/shared/ops/ledger';
import { parseOrderReference } from '@jiangxin/shared/orders';

// The ledger explorer's subject: the filter staff type, checked before anything is sent, and its place in
// the route (`?userId=12`, `?orderNumber=JX…`), so a view can be linked and survives a reload.

/**
 * What the screen is looking at: exactly one of a user, an order (by the number staff see, or its ID) or
 * an account (as the core requires).
 */
export type LedgerSubject =
  | { userId: number }
  | { orderId: number }
  | { orderNumber: string }
  | { account: string };

/** What is wrong with the filter, with the text at fault where there is one (the message quotes it). */
export type FilterProblem =
  | { key: 'needOne' | 'onlyOne' }
  | { key: 'userIdInvalid' | 'orderInvalid' | 'accountInvalid'; input: string };
export type FilterInputs = { userId: string; order: string; account: string };

const ID_PATTERN = /^[1-9]\d{0,15}$/;
const ACCOUNT_PATTERN = /^[a-z0-9_:]{1,80}$/;

/**
 * Checks the three inputs before anything is sent: one filter, well-formed. The order is taken as staff
 * quote it — the order number (`JX20261126000001`, any case, spaces or full-width characters) — or as
 * its ID, `123` or `#123`.
 */
export function parseLedgerFilter(
  input: FilterInputs,
): { subject: LedgerSubject } | { problem: FilterProblem } {
  const userId = input.userId.trim();
  const order = input.order.trim();
  const account = input.account.trim();
  const filled = [userId, order, account].filter(Boolean).length;
  if (filled === 0) return { problem: { key: 'needOne' } };
  if (filled > 1) return { problem: { key: 'onlyOne' } };
  if (userId) {
    return ID_PATTERN.test(userId)
      ? { subject: { userId: Number(userId) } }
      : { problem: { key: 'userIdInvalid', input: userId } };
  }
  if (order) {
    const ref = parseOrderReference(order);
    return ref ? { subject: ref } : { problem: { key: 'orderInvalid', input: order } };
  }
  return ACCOUNT_PATTERN.test(account)
    ? { subject: { account } }
    : { problem: { key: 'accountInvalid', input: account } };
}

/** The order input as the route names it: the order number, else the ID as `#123`. */
function orderInputFromParams(params: URLSearchParams): string {
  const id = params.get('orderId');
  return params.get('orderNumber') ?? (id ? `#${id}` : '');
}

export function inputsFromParams(params: URLSearchParams): FilterInputs {
  return {
    userId: params.get('userId') ?? '',
    order: orderInputFromParams(params),
    account: params.get('account') ?? '',
  };
}

export function subjectFromParams(params: URLSearchParams): LedgerSubject | null {
  const parsed = parseLedgerFilter(inputsFromParams(params));
  return 'subject' in parsed ? parsed.subject : null;
}

export function subjectParams(subject: LedgerSubject): Record<string, string> {
  if ('userId' in subject) return { userId: String(subject.userId) };
  if ('orderId' in subject) return { orderId: String(subject.orderId) };
  if ('orderNumber' in subject) return { orderNumber: subject.orderNumber };
  return { account: subject.account };
}

/** The part of a transaction that moved the subject's own accounts. */
export function subjectNet(subject: LedgerSubject, tx: LedgerTransaction): number {
  const mine = (p: LedgerPosting) =>
    'userId' in subject
      ? p.userId === subject.userId
      : 'orderId' in subject
        ? p.accountKind === 'escrow' && p.orderId === subject.orderId
        : 'orderNumber' in subject
          ? p.accountKind === 'escrow' && p.orderNumber === subject.orderNumber
          : p.accountCode === subject.account;
  return tx.postings.filter(mine).reduce((sum, p) => sum + p.amountFen, 0);
}

export const sumOf = (tx: LedgerTransaction) => tx.postings.reduce((sum, p) => sum + p.amountFen, 0);
