/**
 * (1) Snapshot sync: a fresh engine (empty temp data dir) signs in as the moderator through
 * `dispatch('auth.login')`; measured until `sync.status` says `online` with no snapshot in progress. The
 * same run's baselines split the time: paging `/ops/sync` over HTTP without writing (the core's share),
 * checking those pages against the shared contract (the engine does it for every page), and writing the
 * same pages into a fresh cache in-process (the cache's share).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJiangxinClient } from '@jiangxin/client';
import type { SyncStatus } from '@jiangxin/shared/bridge';
import { type OpsSyncResponse, opsSyncResponseSchema } from '@jiangxin/shared/ops/cases';
import { openCaseCache } from '../../electron/engine/cache/cache';
import { type ConsoleEngine, MemoryTokenStore, startConsoleEngine } from '../../electron/engine/index';
import { CpuWindow, type WindowCpu } from './cpu';

const PAGE = 1000; // the engine's page size (SyncLoop's default, the core's maximum)

export interface RawPaging {
  ms: number;
  pages: number;
  changes: number;
  megabytes: number;
  cpu: WindowCpu;
}

export interface EngineSnapshot {
  /** `dispatch('auth.login')` answered (signed in, cache opened, sync started). */
  loginMs: number;
  /** The last snapshot page is in the cache (`snapshot.done === snapshot.total`). */
  pagedMs: number;
  /** `sync.status` online with no snapshot in progress: the goal's figure. */
  onlineMs: number;
  /** The engine's follow-up of every `cases.changed` (held-case bookkeeping, then `counts.changed`) done. */
  settledMs: number;
  statusEvents: number;
  casesChangedEvents: number;
  cpu: WindowCpu;
  /** `dispatch('cases.list', { limit: 100000 })` after settling. */
  list: { ms: number; total: number; items: number };
}

export interface SnapshotResult {
  cases: number;
  raw: RawPaging[];
  /** `opsSyncResponseSchema.parse` of every page fetched by the last raw pass. */
  contractMs: number;
  /** `CaseCache.applyChanges` of those pages into a fresh cache file, in-process, one transaction per page. */
  cacheApplyMs: number;
  engine: EngineSnapshot;
}

export interface SnapshotContext {
  coreUrl: string;
  dbUrl: string;
  dbName: string;
  corePid: number | undefined;
  moderator: { username: string; password: string; accessToken: string };
  expectedCases: number;
  /** Folders to delete at the end (temp caches). */
  tempDirs: string[];
  say(line: string): void;
}

/** Pages the whole snapshot over HTTP, as the engine asks for it, keeping the parsed pages. */
async function rawPaging(ctx: SnapshotContext, keep: OpsSyncResponse[] | null): Promise<RawPaging> {
  const cpu = await CpuWindow.open(ctx.dbUrl, ctx.dbName, ctx.corePid);
  const t0 = performance.now();
  let after = 0;
  let pages = 0;
  let changes = 0;
  let bytes = 0;
  // The typed client (path and query from the API document); the answer is read as text to count bytes.
  const api = createJiangxinClient({
    baseUrl: ctx.coreUrl,
    token: ctx.moderator.accessToken,
    locale: 'zh-CN',
  });
  for (;;) {
    const res = await api.GET('/api/v1/ops/sync', {
      params: { query: { after: String(after), limit: String(PAGE) } },
      parseAs: 'text',
    });
    const text = res.data ?? JSON.stringify(res.error);
    if (res.response.status !== 200)
      throw new Error(`/ops/sync: ${res.response.status} ${text.slice(0, 200)}`);
    bytes += Buffer.byteLength(text);
    const page = JSON.parse(text) as OpsSyncResponse;
    keep?.push(page);
    pages += 1;
    changes += page.changes.length;
    after = page.nextSeq;
    if (!page.hasMore) break;
  }
  return { ms: performance.now() - t0, pages, changes, megabytes: bytes / 2 ** 20, cpu: await cpu.close() };
}

async function engineSnapshot(
  ctx: SnapshotContext,
): Promise<{ result: EngineSnapshot; engine: ConsoleEngine; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jx-bench-engine-'));
  ctx.tempDirs.push(dir);
  const engine = await startConsoleEngine({
    dataDir: dir,
    defaultCoreUrl: ctx.coreUrl,
    tokenStore: new MemoryTokenStore(),
  });
  let statusEvents = 0;
  let casesChanged = 0;
  let countsAfterLogin = 0;
  let pagedAt = 0;
  let lastProgress = 0;
  let t0 = 0;
  let online: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const onlineAt = new Promise<number>((resolve, reject) => {
    online = () => resolve(performance.now());
    timer = setTimeout(() => reject(new Error('the engine was not online after 300 s')), 300_000);
  });
  engine.subscribe((event, payload) => {
    if (event === 'sync.status') {
      statusEvents += 1;
      const s = payload as SyncStatus;
      if (s.snapshot && s.snapshot.total > 0 && s.snapshot.done === s.snapshot.total && !pagedAt)
        pagedAt = performance.now();
      if (s.snapshot) {
        const pct = Math.floor((s.snapshot.done / Math.max(1, s.snapshot.total)) * 10);
        if (pct > lastProgress) {
          lastProgress = pct;
          ctx.say(
            `    snapshot ${s.snapshot.done}/${s.snapshot.total} at ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          );
        }
      }
      if (s.state === 'online' && !s.snapshot && s.lastSeq > 0) online();
    } else if (event === 'cases.changed') casesChanged += 1;
    else if (event === 'counts.changed') countsAfterLogin += 1;
  });
  const cpu = await CpuWindow.open(ctx.dbUrl, ctx.dbName, ctx.corePid);
  t0 = performance.now();
  const reply = await engine.dispatch('auth.login', {
    login: ctx.moderator.username,
    password: ctx.moderator.password,
  });
  const loginAt = performance.now();
  if (!reply.ok) throw new Error(`auth.login: ${JSON.stringify(reply.problem)}`);
  // openSession publishes the counts once before any case changes.
  const countsAtLogin = countsAfterLogin;
  const onlineTime = await onlineAt.finally(() => clearTimeout(timer));
  // Each cases.changed starts a follow-up on the worker that ends with counts.changed.
  const deadline = Date.now() + 300_000;
  while (countsAfterLogin - countsAtLogin < casesChanged && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  const settledAt = performance.now();
  const cpuSpent = await cpu.close();

  const l0 = performance.now();
  const list = await engine.dispatch('cases.list', { limit: 100_000 });
  const listMs = performance.now() - l0;
  if (!list.ok) throw new Error(`cases.list: ${JSON.stringify(list.problem)}`);
  const page = list.result as { items: unknown[]; total: number };
  return {
    engine,
    dir,
    result: {
      loginMs: loginAt - t0,
      pagedMs: (pagedAt || onlineTime) - t0,
      onlineMs: onlineTime - t0,
      settledMs: settledAt - t0,
      statusEvents,
      casesChangedEvents: casesChanged,
      cpu: cpuSpent,
      list: { ms: listMs, total: page.total, items: page.items.length },
    },
  };
}

/**
 * Runs (1). Returns the engine still signed in and online (for (4)), and its data folder (its cache file
 * is the starting point of (2)).
 */
export async function runSnapshot(ctx: SnapshotContext): Promise<{
  result: SnapshotResult;
  engine: ConsoleEngine;
  dir: string;
}> {
  ctx.say('(1) raw /ops/sync paging, pass 1 …');
  const raw1 = await rawPaging(ctx, null);
  ctx.say(`    ${raw1.pages} pages, ${raw1.changes} changes in ${(raw1.ms / 1000).toFixed(2)} s`);
  ctx.say('(1) engine: auth.login → online …');
  const snap = await engineSnapshot(ctx);
  ctx.say(
    `    online after ${(snap.result.onlineMs / 1000).toFixed(2)} s; cases.list total ${snap.result.list.total}`,
  );
  ctx.say('(1) raw /ops/sync paging, pass 2 …');
  const pages: OpsSyncResponse[] = [];
  const raw2 = await rawPaging(ctx, pages);
  ctx.say(`    ${raw2.pages} pages in ${(raw2.ms / 1000).toFixed(2)} s`);

  const c0 = performance.now();
  for (const p of pages) opsSyncResponseSchema.parse(p);
  const contractMs = performance.now() - c0;

  const dir = mkdtempSync(join(tmpdir(), 'jx-bench-engine-apply-'));
  ctx.tempDirs.push(dir);
  const cache = openCaseCache({ dir, account: { userId: 1, coreUrl: ctx.coreUrl } });
  const a0 = performance.now();
  for (const p of pages) cache.applyChanges(p.changes, p.nextSeq, { headSeq: p.headSeq, hasMore: p.hasMore });
  const cacheApplyMs = performance.now() - a0;
  cache.close();

  return {
    engine: snap.engine,
    dir: snap.dir,
    result: {
      cases: ctx.expectedCases,
      raw: [raw1, raw2],
      contractMs,
      cacheApplyMs,
      engine: snap.result,
    },
  };
}
