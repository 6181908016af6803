/**
 * (3) Offline search over 1M cached cases: a fresh cache filled through `applyChanges` pages of synthetic
 * cases (data.ts: catalog titles, service words, names, order numbers; every kind), then Chinese
 * substrings drawn from the cached texts themselves — 3–5 characters (FTS5 trigram) and 1–2 characters
 * (the LIKE fallback) — each run through `search(q, 20)` (the command palette) and `listCases({ q,
 * limit: 200 })` (the queue's search box, which also counts every match for the virtualized table).
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/src/seed/random';
import { openCaseCache } from '../../electron/engine/cache/cache';
import { cacheFiles } from '../../electron/engine/cache/db';
import { caseSearchText } from '../../electron/engine/cache/derive';
import { type LatencySummary, Samples } from '../core/load';
import { ALL_KINDS, makeSummary } from './data';

export interface SearchClass {
  terms: string;
  via: string;
  latency: LatencySummary;
  /** Share of queries that found at least one case. */
  found: number;
  /** Mean number of matching cases (`listCases` total; `search` returns at most 20). */
  meanMatches: number;
}

export interface SearchBench {
  rows: number;
  pageSize: number;
  generateMs: number;
  fillMs: number;
  fileMegabytes: number;
  queriesPerClass: number;
  examples: { long: string[]; short: string[] };
  classes: SearchClass[];
}

export interface SearchContext {
  rows: number;
  queries: number;
  tempDirs: string[];
  say(line: string): void;
}

const PAGE = 5_000;
const HAN_RUN = /\p{Script=Han}+/gu;

/** Chinese substrings of `min`–`max` characters taken from random cached cases. */
function drawTerms(rng: Rng, rows: number, count: number, min: number, max: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const text = caseSearchText(makeSummary(rng.int(1, rows), { kinds: ALL_KINDS }));
    const runs = [...text.matchAll(HAN_RUN)].map((m) => [...m[0]]).filter((r) => r.length >= min);
    if (!runs.length) continue;
    const run = rng.pick(runs);
    const len = rng.int(min, Math.min(max, run.length));
    const at = rng.int(0, run.length - len);
    out.push(run.slice(at, at + len).join(''));
  }
  return out;
}

export async function runSearch(ctx: SearchContext): Promise<SearchBench> {
  const dir = mkdtempSync(join(tmpdir(), 'jx-bench-engine-1m-'));
  ctx.tempDirs.push(dir);
  const account = { userId: 1, coreUrl: 'http://127.0.0.1:1' };
  const cache = openCaseCache({ dir, account });
  let generateMs = 0;
  let fillMs = 0;
  ctx.say(`(3) filling a cache with ${ctx.rows.toLocaleString('en')} cases (pages of ${PAGE}) …`);
  for (let start = 1; start <= ctx.rows; start += PAGE) {
    const g0 = performance.now();
    const end = Math.min(ctx.rows, start + PAGE - 1);
    const changes = [];
    for (let id = start; id <= end; id++)
      changes.push({ op: 'upsert' as const, seq: id, case: makeSummary(id, { kinds: ALL_KINDS }) });
    const g1 = performance.now();
    cache.applyChanges(changes, end, { headSeq: ctx.rows, hasMore: end < ctx.rows });
    fillMs += performance.now() - g1;
    generateMs += g1 - g0;
    if (end % 100_000 === 0 || end === ctx.rows)
      ctx.say(`    ${end.toLocaleString('en')} rows, ${(fillMs / 1000).toFixed(1)} s in applyChanges`);
  }

  const rng = new Rng(20261127);
  const sets = [
    { terms: 'zh 3–5 chars (FTS5 trigram)', list: drawTerms(rng, ctx.rows, ctx.queries, 3, 5) },
    { terms: 'zh 1–2 chars (LIKE fallback)', list: drawTerms(rng, ctx.rows, ctx.queries, 1, 2) },
  ];
  // Warm the page cache and the statement cache (not measured).
  for (const q of drawTerms(rng, ctx.rows, 10, 1, 5)) {
    cache.search(q, 20);
    cache.listCases({ q, limit: 200 });
  }
  const classes: SearchClass[] = [];
  for (const set of sets) {
    const viaSearch = { s: new Samples(), found: 0, matches: 0 };
    const viaList = { s: new Samples(), found: 0, matches: 0 };
    for (const [i, q] of set.list.entries()) {
      let t0 = performance.now();
      const hits = cache.search(q, 20);
      viaSearch.s.add(performance.now() - t0);
      if (hits.cases.length) viaSearch.found += 1;
      viaSearch.matches += hits.cases.length;
      t0 = performance.now();
      const page = cache.listCases({ q, limit: 200 });
      viaList.s.add(performance.now() - t0);
      if (page.total) viaList.found += 1;
      viaList.matches += page.total;
      if ((i + 1) % 50 === 0) ctx.say(`    ${set.terms}: ${i + 1}/${set.list.length}`);
    }
    for (const [via, r] of [
      ['search(q, 20)', viaSearch],
      ['listCases({ q, limit: 200 })', viaList],
    ] as const) {
      classes.push({
        terms: set.terms,
        via,
        latency: r.s.summary(),
        found: r.found / set.list.length,
        meanMatches: r.matches / set.list.length,
      });
    }
  }
  cache.close();
  const bytes = cacheFiles(cache.path)
    .filter((f) => existsSync(f))
    .reduce((s, f) => s + statSync(f).size, 0);
  return {
    rows: ctx.rows,
    pageSize: PAGE,
    generateMs,
    fillMs,
    fileMegabytes: bytes / 2 ** 20,
    queriesPerClass: ctx.queries,
    examples: { long: sets[0]!.list.slice(0, 8), short: sets[1]!.list.slice(0, 8) },
    classes,
  };
}
