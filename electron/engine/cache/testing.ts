import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseSummary, OpsSyncChange } from '@jiangxin/shared/ops/cases';
import { afterEach, beforeEach } from 'vitest';
import { type CaseCache, type CaseCacheOptions, openCaseCache } from './cache';

/** Test factories and a temp-dir fixture for the cache suites (real files, removed after each test). */

export const ACCOUNT = { userId: 7, coreUrl: 'https://ops.jiangxin.test' } as const;

/**
 * `inMemory`: under /dev/shm where the system has it (Linux), for suites that open, close and write
 * thousands of files and transactions (the property tests): the same SQLite files and code paths,
 * without waiting on the disk's fsyncs.
 */
export function useTempDir({ inMemory = false }: { inMemory?: boolean } = {}): {
  dir: string;
  open(opts?: Partial<CaseCacheOptions>): CaseCache;
} {
  const base = inMemory && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const opened: CaseCache[] = [];
  const ctx = {
    dir: '',
    open(opts: Partial<CaseCacheOptions> = {}): CaseCache {
      const cache = openCaseCache({ dir: ctx.dir, account: ACCOUNT, ...opts });
      opened.push(cache);
      return cache;
    },
  };
  beforeEach(() => {
    ctx.dir = mkdtempSync(join(base, 'jx-case-cache-'));
  });
  afterEach(() => {
    for (const cache of opened.splice(0)) cache.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}

const BASE = Date.parse('2026-11-01T00:00:00.000Z');
export const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/** A queue row as the core sends it; every field overridable. */
export function makeCase(id: number, over: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id,
    kind: 'listing_review',
    status: 'open',
    stage: 'submitted',
    priority: 1,
    assigneeId: null,
    assigneeName: null,
    version: 1,
    slaDueAt: at(60 + id),
    slaBreached: false,
    subjectType: 'service',
    subjectId: 1000 + id,
    userId: 500 + id,
    orderId: null,
    amountFen: null,
    title: `服务审核 ${id}`,
    summary: {},
    flags: [],
    outcome: null,
    createdAt: at(id),
    updatedAt: at(id),
    resolvedAt: null,
    ...over,
  };
}

/** A dispute naming both parties and the order, as the core's dispute case kind writes it. */
export function makeDispute(id: number, over: Partial<CaseSummary> = {}): CaseSummary {
  return makeCase(id, {
    kind: 'dispute',
    stage: 'open',
    subjectType: 'dispute',
    userId: 301,
    orderId: 9001,
    amountFen: 880_00,
    title: '订单 JX20261101001 纠纷：企业品牌设计全案',
    summary: {
      disputeId: 41,
      orderNumber: 'JX20261101001',
      serviceTitle: '企业品牌设计全案',
      reason: '交付的标志与需求不符',
      clientId: 301,
      clientName: '王小明',
      freelancerId: 302,
      freelancerName: '李设计师',
      escrowFen: 880_00,
    },
    ...over,
  });
}

/** A payout case, whose kind label is 提现. */
export function makePayout(id: number, over: Partial<CaseSummary> = {}): CaseSummary {
  return makeCase(id, {
    kind: 'payout',
    stage: 'awaiting_approval',
    subjectType: 'payout',
    userId: 401,
    amountFen: 1200_00,
    title: '提现 ¥1,200.00 · 赵六',
    summary: { payoutId: 77, channel: 'alipay', accountName: '赵*', riskSignals: [] },
    ...over,
  });
}

export const upsert = (seq: number, c: CaseSummary): OpsSyncChange => ({ op: 'upsert', seq, case: c });
export const remove = (seq: number, caseId: number): OpsSyncChange => ({ op: 'remove', seq, caseId });
