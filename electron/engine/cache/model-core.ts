import { createHash } from 'node:crypto';
import type { CaseKind, CaseStatus, CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { type OpsStreamScope, opsStreamAllows } from '@jiangxin/shared/ops/stream';
import fc from 'fast-check';
import type { StreamEnvelope } from './cases';
import { at, makeCase } from './testing';

/**
 * Test-only: the core's side of case sync, in memory, for the property tests of the cache's continuity
 * rule (`continuity.property.test.ts`) and of the sync loop (`../sync/sync.property.test.ts`).
 *
 * An event log with gapless seqs (as the core's `events` table), the cases as the core holds them, and
 * what the core answers from them: the `/ops` stream's scoped replay and its `ready`/`resync` choice
 * (core/src/platform/realtime/ops-socket.ts), the pages of `GET /ops/sync` (core/src/modules/cases/
 * sync.ts) and the queue the console must converge to. The core cannot be imported here (electron/engine
 * depends only on shared/), so those two are re-stated below from the core's code; the stream's scope
 * rule is the shared one (`opsStreamAllows`).
 */

/** One row of the core's `events` table, as the `/ops` stream sends it. */
export interface CoreEvent extends StreamEnvelope {
  aggregateType: string;
  aggregateId: number;
  occurredAt: string;
  payload: unknown;
}

/** Something that commits on the core: one event each. */
export type CoreChange =
  | { op: 'upsert'; caseId: number; status: CaseStatus; assigneeId: number | null }
  | { op: 'remove'; caseId: number }
  /** An event that is not about a case: streamed to this member (`order.*`) or not (`user.*`). */
  | { op: 'other'; visible: boolean };

/** The cases the model knows; their kind follows the id, a third of them (payouts) out of the member's sight. */
export const CASE_IDS = [1, 2, 3, 4, 5] as const;

/** Random commits of the model core: new versions of the few cases, removals, and events of other kinds. */
export function coreChangeArb(weights: { remove: number }): fc.Arbitrary<CoreChange> {
  const caseId = fc.constantFrom(...CASE_IDS);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('upsert' as const),
        caseId,
        status: fc.constantFrom('open' as const, 'waiting' as const, 'resolved' as const),
        assigneeId: fc.constantFrom(null, 7, 8),
      }),
    },
    { weight: weights.remove, arbitrary: fc.record({ op: fc.constant('remove' as const), caseId }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('other' as const), visible: fc.boolean() }) },
  );
}
const KINDS: readonly CaseKind[] = ['payout', 'listing_review', 'dispute'];
export const kindOf = (caseId: number): CaseKind => KINDS[caseId % KINDS.length]!;

/** The member the console belongs to: reviews and disputes, and the order events of the dashboards. */
export const MEMBER_SCOPE: OpsStreamScope = {
  caseKinds: ['listing_review', 'dispute'],
  prefixes: ['order.'],
};

/** A title only this version of this case carries, so search can tell versions apart (trigram: 3+ chars). */
export const titleToken = (caseId: number, version: number) => `K${caseId}V${version}Z`;
/** In every title: searching it lists every case the index holds. */
export const TITLE_WORD = '匠心工单';

export type CaseMap = Map<number, CaseSummary>;

/**
 * The checksum the console must reach: `CaseCache.fingerprint`'s formula (id, version, status, holder, in
 * id order; sha256) written out again over the core's cases. The core computes no checksum of its own;
 * the fingerprint's contract is that a cache and a fresh snapshot of the core match exactly when their
 * fingerprints do, which is what the property checks.
 */
export function queueChecksum(cases: Iterable<CaseSummary>): { count: number; sha256: string } {
  const sorted = [...cases].sort((a, b) => a.id - b.id);
  const hash = createHash('sha256');
  for (const c of sorted) hash.update(`${c.id}:${c.version}:${c.status}:${c.assigneeId ?? ''}\n`);
  return { count: sorted.length, sha256: hash.digest('hex') };
}

export class ModelCore {
  readonly log: CoreEvent[] = [];
  /** Every live case, of every kind. */
  private readonly cases: CaseMap = new Map();
  /** The last version each case had; a case opened again after its removal continues from it. */
  private readonly versions = new Map<number, number>();

  constructor(readonly scope: OpsStreamScope = MEMBER_SCOPE) {}

  get head(): number {
    return this.log.length;
  }

  /** Commits one change (a removal of a case that is not there commits nothing). */
  commit(change: CoreChange): CoreEvent | null {
    const seq = this.log.length + 1;
    let event: CoreEvent;
    if (change.op === 'upsert') {
      const version = (this.versions.get(change.caseId) ?? 0) + 1;
      const c = makeCase(change.caseId, {
        kind: kindOf(change.caseId),
        status: change.status,
        assigneeId: change.assigneeId,
        assigneeName: change.assigneeId === null ? null : `同事${change.assigneeId}`,
        version,
        title: `${TITLE_WORD} ${titleToken(change.caseId, version)}`,
        updatedAt: at(seq),
        resolvedAt: change.status === 'resolved' ? at(seq) : null,
      });
      this.versions.set(c.id, version);
      this.cases.set(c.id, c);
      event = this.envelope(seq, 'case.upserted', 'case', c.id, c);
    } else if (change.op === 'remove') {
      if (!this.cases.delete(change.caseId)) return null;
      const payload = { caseId: change.caseId, kind: kindOf(change.caseId) };
      event = this.envelope(seq, 'case.removed', 'case', change.caseId, payload);
    } else if (change.visible) {
      event = this.envelope(seq, 'order.created', 'order', seq, { orderId: seq });
    } else {
      event = this.envelope(seq, 'user.registered', 'user', seq, { userId: seq, username: `u${seq}` });
    }
    this.log.push(event);
    return event;
  }

  private envelope(seq: number, type: string, aggregateType: string, aggregateId: number, payload: unknown) {
    return { seq, type, aggregateType, aggregateId, occurredAt: at(seq), payload };
  }

  /** Whether the member's stream carries this event (the shared scope rule). */
  streams(e: CoreEvent): boolean {
    return opsStreamAllows(this.scope, e.type, e.payload);
  }

  private sees(kind: CaseKind): boolean {
    return this.scope.caseKinds.includes(kind);
  }

  /** The member's stream after `seq`, up to the head, in seq order. */
  streamAfter(seq: number): CoreEvent[] {
    return this.log.slice(Math.max(0, seq)).filter((e) => this.streams(e));
  }

  /** A case as an action's answer carries it now, if the member may see it. */
  caseNow(caseId: number): CaseSummary | null {
    const c = this.cases.get(caseId);
    return c && this.sees(c.kind) ? c : null;
  }

  /** The queue the console must end with: every live case the member may see. */
  visibleCases(): CaseMap {
    return new Map([...this.cases].filter(([, c]) => this.sees(c.kind)));
  }

  /**
   * `GET /ops/sync?after=&limit=`, as core/src/modules/cases/sync.ts answers it: case events after
   * `after` up to the head (fixed when the page is read), only of kinds the member may see, only the
   * newest of each case up to the head, oldest first; `nextSeq` is the last row's seq while there is
   * more, else the head.
   */
  syncPage(after: number, limit: number): OpsSyncResponse {
    const headSeq = this.head;
    if (!this.scope.caseKinds.length || headSeq <= after)
      return { changes: [], nextSeq: Math.max(headSeq, after), hasMore: false, headSeq };
    const upToHead = this.log.slice(0, headSeq);
    const newest = new Map<number, number>();
    for (const e of upToHead) if (e.aggregateType === 'case') newest.set(e.aggregateId, e.seq);
    const rows = upToHead
      .filter(
        (e) =>
          e.aggregateType === 'case' &&
          e.seq > after &&
          this.sees((e.payload as { kind: CaseKind }).kind) &&
          newest.get(e.aggregateId) === e.seq,
      )
      .slice(0, limit + 1);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return {
      changes: page.map((e) =>
        e.type === 'case.removed'
          ? { op: 'remove' as const, seq: e.seq, caseId: e.aggregateId }
          : { op: 'upsert' as const, seq: e.seq, case: e.payload as CaseSummary },
      ),
      nextSeq: hasMore ? page.at(-1)!.seq : headSeq,
      hasMore,
      headSeq,
    };
  }

  /**
   * What the `/ops` socket sends after a handshake with `lastSeq` (ops-socket.ts `replay`): the member's
   * events up to the head, or — more than `replayLimit` of them, or a cursor past the head — a `resync`;
   * then `ready` at the head.
   */
  handshake(
    lastSeq: number,
    replayLimit: number,
  ): { replay: CoreEvent[]; resync: { after: number; headSeq: number } | null; readySeq: number } {
    const head = this.head;
    const found = lastSeq > head ? [] : this.streamAfter(lastSeq);
    if (lastSeq > head || found.length > replayLimit)
      return { replay: [], resync: { after: lastSeq > head ? 0 : lastSeq, headSeq: head }, readySeq: head };
    return { replay: found, resync: null, readySeq: head };
  }

  /**
   * What a cache holding `rows` at cursor `lastSeq` would hold after the member's stream after `lastSeq`
   * were applied to it by the cache's own rule (an upsert unless a newer version is held, a removal
   * drops). The cursor is honest exactly when this is the core's queue: nothing at or below it is missing.
   */
  replayOnto(rows: CaseMap, lastSeq: number): CaseMap {
    const out: CaseMap = new Map(rows);
    for (const e of this.streamAfter(lastSeq)) {
      if (e.type === 'case.upserted') {
        const c = e.payload as CaseSummary;
        const held = out.get(c.id);
        if (!held || c.version >= held.version) out.set(c.id, c);
      } else if (e.type === 'case.removed') {
        out.delete(e.aggregateId);
      }
    }
    return out;
  }
}
