import type { CaseSummary } from '@jiangxin/shared/ops/cases';

/** A queue row for component tests; `n` makes the id, title and amount distinct. */
export function sampleCase(n: number, patch: Partial<CaseSummary> = {}): CaseSummary {
  const at = new Date(Date.UTC(2026, 10, 27, 0, 0, 0) + n * 60_000).toISOString();
  return {
    id: n,
    kind: 'listing_review',
    status: 'open',
    stage: 'pending',
    priority: n % 4,
    assigneeId: null,
    assigneeName: null,
    version: 1,
    slaDueAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
    slaBreached: false,
    subjectType: 'service',
    subjectId: n,
    userId: 100 + n,
    orderId: null,
    amountFen: n * 100,
    title: `服务审核：Logo 设计 ${n}`,
    summary: {},
    flags: [],
    outcome: null,
    createdAt: at,
    updatedAt: at,
    resolvedAt: null,
    ...patch,
  };
}
