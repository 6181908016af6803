import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeEvent, BridgeMethod, BridgeResult } from '@jiangxin/shared/bridge';
import type { CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { openCase } from '../../core/src/modules/cases/commands';
import type { ApiClient } from '../../core/src/test/client';
import type { TestApp } from '../../core/src/test/harness';
import { type ConsoleEngine, MemoryTokenStore, startConsoleEngine, type TokenStore } from '../engine';

/** Shared set-up of the console suites: a real engine on a temp folder, talking to a real test core. */

export interface EngineUnderTest {
  engine: ConsoleEngine;
  dir: string;
  tokens: TokenStore;
  /** Every event the engine pushed to the renderer, in order. */
  events: { event: BridgeEvent; payload: unknown }[];
  call<M extends BridgeMethod>(method: M, args?: unknown): Promise<BridgeResult<M>>;
  close(): Promise<void>;
}

export async function openEngine(
  coreUrl: string,
  reuse?: { dir: string; tokens: TokenStore },
): Promise<EngineUnderTest> {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'jx-console-'));
  const tokens = reuse?.tokens ?? new MemoryTokenStore();
  const engine = await startConsoleEngine({
    dataDir: dir,
    defaultCoreUrl: coreUrl,
    tokenStore: tokens,
    // JX_ENGINE_LOG=1 prints the engine's connection log while debugging a suite.
    ...(process.env['JX_ENGINE_LOG'] ? { log: (line: string) => console.log(`[engine] ${line}`) } : {}),
  });
  const events: EngineUnderTest['events'] = [];
  engine.subscribe((event, payload) => events.push({ event, payload }));
  return {
    engine,
    dir,
    tokens,
    events,
    async call(method, args = {}) {
      const reply = await engine.dispatch(method, args);
      if (!reply.ok)
        throw Object.assign(new Error(`${method}: ${reply.problem.code}`), { problem: reply.problem });
      return reply.result as never;
    },
    close: () => engine.close(),
  };
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls until `check` returns a truthy value (or throws with the last value after `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let subject = 1_000_000;

/** Opens `n` listing-review cases through the core's own command (events and all), in batches. */
export async function openCases(t: TestApp, n: number, title = '测试服务'): Promise<number[]> {
  const ids: number[] = [];
  // Taken once, so writing goes on while the test core's HTTP side is stopped (the database stays up).
  const ctx = t.ctx;
  for (let start = 0; start < n; start += 250) {
    const batch = Math.min(250, n - start);
    await t.db.transact(async (tx) => {
      for (let i = 0; i < batch; i++) {
        const c = await openCase(ctx, tx, {
          kind: 'listing_review',
          subjectType: 'listing',
          subjectId: subject++,
          stage: 'pending',
          title: `${title} ${start + i + 1}`,
          priority: (start + i) % 4,
        });
        ids.push(c.id);
      }
    });
  }
  return ids;
}

/** The digest both sides are compared by: each case's id, version, status and holder, in id order. */
export function digest(
  cases: readonly Pick<CaseSummary, 'id' | 'version' | 'status' | 'assigneeId'>[],
): string {
  const hash = createHash('sha256');
  for (const c of [...cases].sort((a, b) => a.id - b.id)) {
    hash.update(`${c.id}:${c.version}:${c.status}:${c.assigneeId ?? ''}\n`);
  }
  return `${cases.length}:${hash.digest('hex').slice(0, 16)}`;
}

/** What the core holds now for this member of staff: a full snapshot through the sync route. */
export async function coreDigest(api: ApiClient): Promise<string> {
  const latest = new Map<number, CaseSummary>();
  let after = 0;
  for (;;) {
    const page = await api.get<OpsSyncResponse>(`/ops/sync?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`sync failed: ${page.status}`);
    for (const ch of page.body.changes) {
      if (ch.op === 'upsert') latest.set(ch.case.id, ch.case);
      else latest.delete(ch.caseId);
    }
    after = page.body.nextSeq;
    if (!page.body.hasMore) break;
  }
  return digest([...latest.values()]);
}

/** What the console shows: every cached case, through the bridge. */
export async function consoleDigest(e: EngineUnderTest): Promise<string> {
  const page = await e.call('cases.list', { limit: 100_000, sort: 'created' });
  return digest(page.items);
}

/**
 * An engine signed in as `login` (the test factories' password) and online; kept in `engines` so the
 * suite's afterAll closes it.
 */
export async function signedInEngine(
  coreUrl: string,
  login: string,
  engines: EngineUnderTest[],
): Promise<EngineUnderTest> {
  const e = await openEngine(coreUrl);
  engines.push(e);
  await e.call('auth.login', { login, password: 'correct-horse-1' });
  await until('online', async () => (await e.call('sync.status')).state === 'online');
  return e;
}
