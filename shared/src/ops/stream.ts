import { z } from 'zod';
import { queryInt } from '../api/common';
import { hasPermission, type Permission, type StaffRole } from '../permissions';
import { CASE_KINDS, CASE_VIEW_PERMISSION, type CaseKind } from './cases';

/**
 * The staff live stream: socket.io namespace `/ops` (path `/socket.io`). The console connects with
 * `auth: { token, lastSeq }` (its access token; the last `seq` it has applied, or omitted for live only).
 * A token without staff roles is refused (`connect_error` "unauthenticated" / "forbidden").
 *
 * On connect the server replays, in `seq` order, every event after `lastSeq` the member may see (at most
 * `OPS_REPLAY_LIMIT`; beyond that, or when events after `lastSeq` have been archived by retention, it
 * sends `resync` and the console catches up through `GET /ops/sync`),
 * then `ready`, then streams live. Every `event` carries its `seq`; one connection never receives an
 * event twice nor out of order.
 */
export const OPS_NAMESPACE = '/ops' as const;
export const OPS_REPLAY_LIMIT = 5000;

/** Names of the messages on `/ops` (server → console unless marked). */
export const OPS_STREAM = {
  /** An `EventEnvelope` (seq, type, aggregateType, aggregateId, occurredAt, payload). */
  event: 'event',
  /** Too far behind to replay: fetch `/ops/sync?after=<after>` until `headSeq`; live events follow `headSeq`. */
  resync: 'resync',
  /** Replay is over; everything after `seq` arrives live. */
  ready: 'ready',
  /** Who has a case open now (sent to everyone who may see the case, whenever it changes). */
  presence: 'presence',
  /** Console → server: I opened / closed this case. */
  presenceView: 'presence.view',
  presenceLeave: 'presence.leave',
  /** Console → server `{caseId}`: the agent is typing in this support chat. Server → console: the customer is. */
  typing: 'typing',
} as const;

/** On the marketplace users' default namespace: typing indicators of support chats. */
export const SUPPORT_TYPING = 'support.typing' as const;

export const opsHandshakeSchema = z.object({
  token: z.string(),
  lastSeq: queryInt({ min: 0 }).optional(),
});

export const opsResyncSchema = z.object({
  /** `too_far_behind`: more than OPS_REPLAY_LIMIT events to replay; `events_archived`: some were archived (retention). */
  reason: z.enum(['too_far_behind', 'events_archived']),
  /** Pass as `after` to `/ops/sync`. */
  after: z.number().int(),
  /** Live events on this connection start after this seq. */
  headSeq: z.number().int(),
});
export type OpsResync = z.infer<typeof opsResyncSchema>;

export const opsReadySchema = z.object({ seq: z.number().int(), replayed: z.number().int() });
export type OpsReady = z.infer<typeof opsReadySchema>;

export const caseRefSchema = z.object({ caseId: z.number().int().positive() });
export type CaseRef = z.infer<typeof caseRefSchema>;

export const presenceSchema = z.object({
  caseId: z.number().int(),
  viewers: z.array(z.object({ userId: z.number().int(), nickname: z.string() })),
});
export type Presence = z.infer<typeof presenceSchema>;

/** Server → console on `/ops`. */
export const opsTypingSchema = z.object({ caseId: z.number().int(), side: z.literal('customer') });
export type OpsTyping = z.infer<typeof opsTypingSchema>;

/** Customer → server on the default namespace. */
export const supportTypingInSchema = z.object({ conversationId: z.number().int().positive() });
/** Server → customer on the default namespace. */
export const supportTypingOutSchema = z.object({
  conversationId: z.number().int(),
  side: z.literal('agent'),
});
export type SupportTypingOut = z.infer<typeof supportTypingOutSchema>;

/**
 * Which staff receive which events on `/ops`, by type prefix. `case.*` follows the case's kind
 * (`CASE_VIEW_PERMISSION`); the money events feed the live dashboards. Types not listed are not streamed.
 */
export const OPS_STREAM_SCOPES: readonly { prefix: string; permission: Permission | 'case_kind' }[] = [
  { prefix: 'case.', permission: 'case_kind' },
  { prefix: 'support.', permission: 'support.chat' },
  { prefix: 'order.', permission: 'stats.view' },
  { prefix: 'payment.', permission: 'stats.view' },
  { prefix: 'ledger.', permission: 'stats.view' },
  { prefix: 'payout.', permission: 'stats.view' },
  { prefix: 'team.', permission: 'cases.view' },
];

/** What one member of staff may receive, computed once per connection. */
export interface OpsStreamScope {
  /** Case kinds whose `case.*` events they receive. */
  caseKinds: CaseKind[];
  /** Type prefixes (other than `case.`) they receive in full. */
  prefixes: string[];
}

export function opsStreamScope(roles: readonly StaffRole[]): OpsStreamScope {
  const caseKinds = CASE_KINDS.filter((k) => hasPermission(roles, CASE_VIEW_PERMISSION[k]));
  const prefixes = OPS_STREAM_SCOPES.filter(
    (s) => s.permission !== 'case_kind' && hasPermission(roles, s.permission),
  ).map((s) => s.prefix);
  return { caseKinds, prefixes };
}

/** Whether an event of `type` with `payload` goes to a member with `scope`. */
export function opsStreamAllows(scope: OpsStreamScope, type: string, payload: unknown): boolean {
  if (type.startsWith('case.')) {
    const kind = (payload as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' && (scope.caseKinds as string[]).includes(kind);
  }
  return scope.prefixes.some((p) => type.startsWith(p));
}
