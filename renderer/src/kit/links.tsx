import { workspacesFor } from '@jiangxin/shared/console/workspaces';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import type { Permission } from '@jiangxin/shared/permissions';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { UserText } from './UserText';

/**
 * Links to the drill-down pages, for every pane that names a customer or an order: the name or the order
 * number itself becomes the link (hash routes `#/customers/:userId` and `#/orders/:orderId`; the command
 * palette opens the same routes).
 */
export const customerPath = (userId: number) => `/customers/${userId}`;
export const orderPath = (orderId: number) => `/orders/${orderId}`;

/** A customer's name as a link to their page; without an id (a user not known) the plain text. */
export function CustomerLink({ userId, children }: { userId: number | null; children: ReactNode }) {
  if (userId === null) return <>{children}</>;
  return (
    <Link to={customerPath(userId)} className="drill-link" data-testid={`customer-link-${userId}`}>
      {children}
    </Link>
  );
}

/**
 * An order's number as a link to its page (a plain string child is the number: data, marked as user
 * content; a caller passing more marks the number itself); without an id (an order not yet known) the
 * plain text.
 */
export function OrderLink({ orderId, children }: { orderId: number | null; children: ReactNode }) {
  if (orderId === null) return <>{children}</>;
  return (
    <Link to={orderPath(orderId)} className="drill-link" data-testid={`order-link-${orderId}`}>
      {typeof children === 'string' ? <UserText>{children}</UserText> : children}
    </Link>
  );
}

/**
 * Where a case opens for this member: the first queue whose kinds include the case's (as the command
 * palette does), or null when the member may not see that kind.
 */
export function casePath(kind: CaseKind, caseId: number, permissions: readonly Permission[]): string | null {
  const workspace = workspacesFor(permissions).find((w) => w.caseKinds?.includes(kind));
  return workspace ? `${workspace.path}/${caseId}` : null;
}
