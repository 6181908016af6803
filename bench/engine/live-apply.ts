/**
 * (2) Live apply rate: `applyStream` batches of 1, 10 and 100 `case.upserted` envelopes, one transaction
 * per batch as the sync loop applies them, on a cache holding the 100k-case snapshot (a copy of the
 * engine's file from (1)) — in-process (`openCaseCache`) and through the worker thread (`openRemoteCache`,
 * one awaited call per batch as the sync loop's write chain does). Two kinds of event: a cached case
 * updated (a claim: version + 1, holder, `updatedAt`) and a new case (inserted and indexed for search).
 *
 * Baseline from the same run (issue 15: "raw better-sqlite3 inserts into the same indexed schema"): a third
 * copy of the same 100k-case file — the cache's own `cases` table with all its indexes (`cases_sla_idx`,
 * `cases_priority_idx`, `cases_created_idx`, `cases_amount_idx`: each (sort key, id, status, kind);
 * `cases_status_kind_idx`, `cases_assignee_idx`) and the FTS5 trigram index kept by its triggers — the same
 * pragmas (WAL, synchronous=NORMAL, via the cache's `openDatabase`), and per row one prepared statement with
 * the values computed before the clock starts, one transaction per batch: a plain `INSERT` of the new case,
 * or for a claim a plain `UPDATE … WHERE id = ?` of the columns a claim changes. What the engine adds over
 * that — the stream's continuity check, the version guard, the users and orders it records, the sync
 * state — is what the ratio measures. (Until issue 15 the baseline was a bare table without indexes or
 * FTS, which measured the schema as much as the engine.)
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { openCaseCache } from '../../electron/engine/cache/cache';
import type { StreamEnvelope } from '../../electron/engine/cache/cases';
import { type CacheAccount, cacheFileName, cacheFiles, openDatabase } from '../../electron/engine/cache/db';
import { caseSearchText, toMs } from '../../electron/engine/cache/derive';
import { openRemoteCache } from '../../electron/engine/cache-worker/remote';
import { ALL_KINDS, makeSummary } from './data';

export const BATCH_SIZES = [1, 10, 100] as const;

export interface ApplyRun {
  path: 'raw better-sqlite3' | 'applyStream in-process' | 'applyStream via worker';
  /** For a raw run: the statement it ran per row. */
  statement?: string;
  kind: 'new case' | 'cached case updated';
  batch: number;
  events: number;
  ms: number;
  perSecond: number;
}

export interface LiveApplyResult {
  cachedCases: number;
  budgetMs: number;
  runs: ApplyRun[];
}

export interface LiveApplyContext {
  /** The engine's cache file from (1) (closed) and its account; rebuilt from synthetic cases when absent. */
  template: { dir: string; account: CacheAccount } | null;
  budgetMs: number;
  tempDirs: string[];
  say(line: string): void;
}

const MAX_EVENTS: Record<number, number> = { 1: 6_000, 10: 40_000, 100: 80_000 };
const NEW_ID_BASE = 10_000_000;

const envelope = (seq: number, c: CaseSummary): StreamEnvelope & Record<string, unknown> => ({
  seq,
  type: 'case.upserted',
  aggregateType: 'case',
  aggregateId: c.id,
  occurredAt: c.updatedAt,
  payload: c,
});

/** Runs `apply` over consecutive batches until the batches or the time budget run out. */
async function timed<T>(
  batches: T[][],
  budgetMs: number,
  apply: (batch: T[]) => unknown,
): Promise<{ events: number; ms: number }> {
  let events = 0;
  const t0 = performance.now();
  let now = t0;
  for (const b of batches) {
    await apply(b);
    events += b.length;
    now = performance.now();
    if (now - t0 > budgetMs) break;
  }
  return { events, ms: now - t0 };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runLiveApply(ctx: LiveApplyContext): Promise<LiveApplyResult> {
  const account = ctx.template?.account ?? { userId: 1, coreUrl: 'http://127.0.0.1:1' };
  const fileName = cacheFileName(account);
  let templateDir = ctx.template?.dir;
  if (!templateDir || !existsSync(join(templateDir, fileName))) {
    templateDir = mkdtempSync(join(tmpdir(), 'jx-bench-engine-tpl-'));
    ctx.tempDirs.push(templateDir);
    ctx.say('(2) no engine cache to copy: building a 100k-case cache …');
    const c = openCaseCache({ dir: templateDir, account });
    for (let start = 1; start <= 100_000; start += 1000) {
      const changes = Array.from({ length: 1000 }, (_, i) => ({
        op: 'upsert' as const,
        seq: start + i,
        case: makeSummary(start + i, { kinds: ALL_KINDS }),
      }));
      c.applyChanges(changes, start + 999, { hasMore: start + 1000 <= 100_000 });
    }
    c.close();
  }
  const source = join(templateDir, fileName);
  const copy = (label: string) => {
    const dir = mkdtempSync(join(tmpdir(), `jx-bench-engine-${label}-`));
    ctx.tempDirs.push(dir);
    // The file and its WAL side files, if any, under the same name (the account decides the name).
    for (const f of cacheFiles(source))
      if (existsSync(f)) copyFileSync(f, join(dir, fileName + f.slice(source.length)));
    return dir;
  };

  const local = openCaseCache({ dir: copy('inproc'), account });
  const remote = await openRemoteCache({ dir: copy('worker'), account });
  const rawFile = openDatabase(copy('raw'), fileName);
  const insertSql = `INSERT INTO cases (id, kind, status, priority, assignee_id, sla_due_at, sla_breached,
    amount_fen, user_id, order_id, created_at, updated_at, version, summary_json, search_text)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const updateSql =
    'UPDATE cases SET version = ?, assignee_id = ?, updated_at = ?, summary_json = ?, search_text = ? WHERE id = ?';
  const rawInsert = rawFile.prepare(insertSql);
  const rawUpdate = rawFile.prepare(updateSql);
  const rawBatch = rawFile.transaction((stmt: typeof rawInsert, rows: unknown[][]) => {
    for (const v of rows) stmt.run(...v);
  });

  // The cached cases a claim updates (version + 1 on every round through them).
  const cached = local.listCases({ limit: 100_000, sort: 'created' }).items;
  const cachedCases = local.syncState().lastSeq > 0 ? cached.length : 0;
  const nextSeq = { local: local.syncState().lastSeq + 1, remote: (await remote.syncState()).lastSeq + 1 };
  let updates = 0;
  let newIds = NEW_ID_BASE;
  const claim = (k: number): CaseSummary => {
    const base = cached[k % cached.length]!;
    const at = new Date(Date.parse(base.updatedAt) + 60_000 * (1 + k)).toISOString();
    return {
      ...base,
      version: base.version + 1 + Math.floor(k / cached.length),
      assigneeId: 42,
      assigneeName: '压测审核员',
      updatedAt: at,
    };
  };

  const runs: ApplyRun[] = [];
  const record = (
    path: ApplyRun['path'],
    kind: ApplyRun['kind'],
    batch: number,
    r: { events: number; ms: number },
    statement?: string,
  ) => {
    const run: ApplyRun = {
      path,
      kind,
      batch,
      events: r.events,
      ms: r.ms,
      perSecond: (r.events / r.ms) * 1000,
      ...(statement ? { statement } : {}),
    };
    runs.push(run);
    ctx.say(
      `    ${path}, ${kind}, batch ${batch}: ${run.perSecond.toFixed(0)} events/s (${r.events} in ${r.ms.toFixed(0)} ms)`,
    );
  };

  for (const size of BATCH_SIZES) {
    ctx.say(`(2) batches of ${size} …`);
    const n = MAX_EVENTS[size]!;
    const fresh = Array.from({ length: n }, (_, i) => makeSummary(newIds + i, { kinds: ALL_KINDS }));
    newIds += n;

    // Raw baseline: the same rows into the same indexed file, values computed up front.
    const values = fresh.map((c) => [
      c.id,
      c.kind,
      c.status,
      c.priority,
      c.assigneeId,
      toMs(c.slaDueAt),
      c.slaBreached ? 1 : 0,
      c.amountFen,
      c.userId,
      c.orderId,
      toMs(c.createdAt),
      toMs(c.updatedAt),
      c.version,
      JSON.stringify(c),
      caseSearchText(c),
    ]);
    record(
      'raw better-sqlite3',
      'new case',
      size,
      await timed(chunk(values, size), ctx.budgetMs, (rows) => rawBatch(rawInsert, rows)),
      'INSERT',
    );

    const asEnvelopes = (cases: CaseSummary[], from: number) =>
      chunk(
        cases.map((c, i) => envelope(from + i, c)),
        size,
      );
    let r = await timed(asEnvelopes(fresh, nextSeq.local), ctx.budgetMs, (events) =>
      local.applyStream({ prevSeq: events[0]!.seq - 1, events }),
    );
    nextSeq.local += r.events;
    record('applyStream in-process', 'new case', size, r);

    r = await timed(asEnvelopes(fresh, nextSeq.remote), ctx.budgetMs, (events) =>
      remote.applyStream({ prevSeq: events[0]!.seq - 1, events }),
    );
    nextSeq.remote += r.events;
    record('applyStream via worker', 'new case', size, r);

    if (cached.length) {
      const claims = Array.from({ length: n }, (_, i) => claim(updates + i));
      const claimValues = claims.map((c) => [
        c.version,
        c.assigneeId,
        toMs(c.updatedAt),
        JSON.stringify(c),
        caseSearchText(c),
        c.id,
      ]);
      record(
        'raw better-sqlite3',
        'cached case updated',
        size,
        await timed(chunk(claimValues, size), ctx.budgetMs, (rows) => rawBatch(rawUpdate, rows)),
        'UPDATE',
      );
      r = await timed(asEnvelopes(claims, nextSeq.local), ctx.budgetMs, (events) =>
        local.applyStream({ prevSeq: events[0]!.seq - 1, events }),
      );
      nextSeq.local += r.events;
      record('applyStream in-process', 'cached case updated', size, r);
      r = await timed(asEnvelopes(claims, nextSeq.remote), ctx.budgetMs, (events) =>
        remote.applyStream({ prevSeq: events[0]!.seq - 1, events }),
      );
      nextSeq.remote += r.events;
      record('applyStream via worker', 'cached case updated', size, r);
      updates += n;
    }
  }
  local.close();
  await remote.close();
  rawFile.close();
  return { cachedCases, budgetMs: ctx.budgetMs, runs };
}
