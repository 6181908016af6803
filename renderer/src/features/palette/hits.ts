import type { BridgeResult } from '@jiangxin/shared/bridge';
import { workspacesFor } from '@jiangxin/shared/console/workspaces';
import { CASE_KIND_LABELS, CASE_STATUS_LABELS } from '@jiangxin/shared/ops/cases';
import { ORDER_STATUS_LABELS, type OrderStatus } from '@jiangxin/shared/orders';
import type { Permission } from '@jiangxin/shared/permissions';
import { formatFen } from '../../format';
import type { Locale } from '../../i18n';
import { caseTitleParts } from '../../kit/case-title';
import type { PaletteStrings } from './strings';

type Results = BridgeResult<'search.query'>;
type Words = { zh: string; en: string };

export interface Hit {
  key: string;
  group: 'cases' | 'users' | 'orders';
  label: string;
  /** The parts of the label people typed or named (a title, a nickname, an order number). */
  userParts: string[];
  detail: string;
  /** The route the hit opens; null only for a case no queue of this member lists. */
  to: string | null;
}

/** The customer page and the order page (drill-down pages, open to every member who may see cases). */
export const customerRoute = (userId: number) => `/customers/${userId}`;
export const orderRoute = (orderId: number) => `/orders/${orderId}`;

const isOrderStatus = (status: string): status is OrderStatus => Object.hasOwn(ORDER_STATUS_LABELS, status);

/**
 * A user as one line: `青柠（client001）` (`Qingning (client001)` in English) when both names are known,
 * either one alone otherwise — never empty parentheses — and `用户 #12` when the cache has neither.
 */
export function userLabel(u: Results['users'][number], s: PaletteStrings): string {
  const nickname = u.nickname.trim();
  const username = u.username.trim();
  if (nickname && username && nickname !== username) return s('userWithLogin', { nickname, username });
  return nickname || username || s('userId', { id: u.id });
}

/**
 * The palette's results as hits, each with where it leads: a case opens in its own queue, a user on the
 * customer page, an order on the order page. Status codes are shown in words.
 */
export function paletteHits(
  results: Results,
  permissions: readonly Permission[],
  pick: (words: Words) => string,
  s: PaletteStrings,
  locale: Locale = 'zh-CN',
): Hit[] {
  const workspaces = workspacesFor(permissions);
  // A one-kind queue first (the case's own queue), then a queue over several kinds (My work).
  const queueOf = (kind: (typeof results.cases)[number]['kind']) =>
    workspaces.find((w) => w.caseKinds?.length === 1 && w.caseKinds[0] === kind) ??
    workspaces.find((w) => w.caseKinds?.includes(kind));
  return [
    ...results.cases.map((c): Hit => {
      const ws = queueOf(c.kind);
      const title = caseTitleParts(c, locale);
      return {
        key: `c${c.id}`,
        group: 'cases',
        label: `#${c.id} ${title.map((p) => p.text).join('')}`,
        userParts: title.filter((p) => p.user).map((p) => p.text),
        detail: [
          pick(CASE_KIND_LABELS[c.kind]),
          pick(CASE_STATUS_LABELS[c.status]),
          ...(ws ? [] : [s('noQueue')]),
        ].join(' · '),
        to: ws ? `${ws.path}/${c.id}` : null,
      };
    }),
    ...results.users.map(
      (u): Hit => ({
        key: `u${u.id}`,
        group: 'users',
        label: userLabel(u, s),
        userParts: [u.nickname.trim(), u.username.trim()],
        detail: [...(u.phone ? [u.phone] : []), s('userId', { id: u.id })].join(' · '),
        to: customerRoute(u.id),
      }),
    ),
    ...results.orders.map(
      (o): Hit => ({
        key: `o${o.id}`,
        group: 'orders',
        label: o.orderNumber,
        userParts: [o.orderNumber],
        detail: [
          isOrderStatus(o.status) ? pick(ORDER_STATUS_LABELS[o.status]) : s('statusUnknown'),
          ...(o.amountFen > 0 ? [formatFen(o.amountFen)] : []),
        ].join(' · '),
        to: orderRoute(o.id),
      }),
    ),
  ];
}
