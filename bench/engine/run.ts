/**
 * `npm run bench:engine`: the console engine (electron/engine) against a real core on PostgreSQL, and its
 * offline cache on its own. One run measures, each with a baseline from the same run:
 *
 *  1. Snapshot sync of BENCH_SNAPSHOT_CASES (100,000) cases: a scratch database `jx_bench_engine_<random>`
 *     on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) gets the cases and their
 *     `case.upserted` events in bulk (pg-data.ts); the real core runs in its own process (bench/ops/core.ts);
 *     a fresh engine signs in as a moderator and is timed to `online` (goal < 10 s). Baselines: paging
 *     `/ops/sync` over HTTP without writing, the contract check of those pages, and writing them into a
 *     cache in-process (snapshot.ts).
 *  2. Live apply rate: `applyStream` batches of 1/10/100 events in-process and through the worker vs raw
 *     better-sqlite3 inserts of the same rows (goal ≥ 30 % of the baseline; live-apply.ts).
 *  3. Offline search p95 over BENCH_SEARCH_ROWS (1,000,000) cached cases, BENCH_SEARCHES (200) queries per
 *     class (goal < 50 ms; search.ts).
 *  4. Event commit → `cases.changed` at BENCH_EVENT_RATE (500) events/s for BENCH_STREAM_SECONDS (20), per
 *     event (goal p99 < 150 ms), vs a bare socket.io client on `/ops` (stream.ts).
 *
 * Prints the figures as Markdown tables and writes them as JSON to BENCH_JSON (bench/engine/last-run.json).
 * BENCH_PHASES (core,apply,search) selects parts: `core` is 1 and 4. The database and every temp file are
 * removed at the end, also on failure and on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { openDb } from '../../core/src/platform/db/database';
import { migrateToLatest } from '../../core/src/platform/db/migrate';
import { startSandbox } from '../../core/src/sandbox/index';
import type { LatencySummary } from '../core/load';
import { describeMachine, loadAverage } from '../core/machine';
import { type CoreHandle, forkCore } from './core-process';
import type { WindowCpu } from './cpu';
import { type LiveApplyResult, runLiveApply } from './live-apply';
import { loadCases, signUpModerator } from './pg-data';
import { runSearch, type SearchBench } from './search';
import { runSnapshot, type SnapshotResult } from './snapshot';
import { runStream, type StreamResult, type StreamWindow } from './stream';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (k: string, d: string) => process.env[k] || d;
const adminUrl = env('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const SNAPSHOT_CASES = Number(env('BENCH_SNAPSHOT_CASES', '100000'));
const RATE = Number(env('BENCH_EVENT_RATE', '500'));
const STREAM_SECONDS = Number(env('BENCH_STREAM_SECONDS', '20'));
const APPLY_BUDGET_MS = Number(env('BENCH_APPLY_BUDGET_MS', '2000'));
const SEARCH_ROWS = Number(env('BENCH_SEARCH_ROWS', '1000000'));
const SEARCHES = Number(env('BENCH_SEARCHES', '200'));
const PHASES = new Set(env('BENCH_PHASES', 'core,apply,search').split(','));
const JSON_OUT = env('BENCH_JSON', path.join(here, 'last-run.json'));

const GOALS = { snapshotMs: 10_000, applyRatio: 0.3, searchP95Ms: 50, streamP99Ms: 150 };

const dbName = `jx_bench_engine_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin(q: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

const started = performance.now();
const say = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const fmt = (n: number | undefined, d = 1) => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '–');
const int = (n: number) => Math.round(n).toLocaleString('en');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Results {
  machine: ReturnType<typeof describeMachine> & { loadAfter: string };
  settings: Record<string, number | string>;
  snapshot?: SnapshotResult;
  stream?: StreamResult;
  apply?: LiveApplyResult;
  search?: SearchBench;
  problems: string[];
  totalSeconds: number;
}

async function main() {
  const pgVersion = (await admin('SHOW server_version')).rows[0].server_version as string;
  const machine = describeMachine(`PostgreSQL ${pgVersion}`, {});
  say(
    `bench:engine on ${machine.cpus}× ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.postgres}; load ${loadAverage()}`,
  );
  const tempDirs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let dbCreated = false;
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => console.error(err));
    if (dbCreated)
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((err) => console.error(err));
    dbCreated = false;
    for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });

  const results: Results = {
    machine: { ...machine, loadAfter: '' },
    settings: {
      snapshotCases: SNAPSHOT_CASES,
      eventRate: RATE,
      streamSeconds: STREAM_SECONDS,
      applyBudgetMs: APPLY_BUDGET_MS,
      searchRows: SEARCH_ROWS,
      searchesPerClass: SEARCHES,
      phases: [...PHASES].join(','),
    },
    problems: [],
    totalSeconds: 0,
  };
  let template: { dir: string; account: { userId: number; coreUrl: string } } | null = null;
  try {
    if (PHASES.has('core')) {
      await admin(`CREATE DATABASE ${dbName}`);
      dbCreated = true;
      const db = await openDb({ url: dbUrl, poolSize: 4 });
      cleanups.push(() => db.close());
      await migrateToLatest(db);
      say(`(1) loading ${int(SNAPSHOT_CASES)} cases and their events into ${dbName} …`);
      const t0 = performance.now();
      const loaded = await loadCases(db, SNAPSHOT_CASES, (done) => {
        if (done % 20_000 === 0) say(`    ${int(done)} cases`);
      });
      say(`    loaded in ${s(performance.now() - t0)} (seq ${loaded.firstSeq}–${loaded.lastSeq})`);

      const sandbox = await startSandbox({ port: 0, log: pino({ level: 'silent' }) });
      cleanups.push(() => sandbox.close());
      const core: CoreHandle = await forkCore({
        cmd: 'start',
        databaseUrl: dbUrl,
        jwtSecret: randomBytes(32).toString('hex'),
        sandbox: sandbox.credentials,
      });
      cleanups.push(() => core.close());
      say(`core at ${core.url} (pid ${core.child.pid})`);
      const moderator = await signUpModerator(db, core.url);

      const snap = await runSnapshot({
        coreUrl: core.url,
        dbUrl,
        dbName,
        corePid: core.child.pid,
        moderator,
        expectedCases: SNAPSHOT_CASES,
        tempDirs,
        say,
      });
      results.snapshot = snap.result;
      cleanups.push(() => snap.engine.close());
      const list = snap.result.engine.list;
      if (list.total !== SNAPSHOT_CASES || list.items !== SNAPSHOT_CASES)
        results.problems.push(
          `cases.list: total ${list.total}, ${list.items} items, expected ${SNAPSHOT_CASES}`,
        );

      results.stream = await runStream(
        {
          core,
          db,
          dbUrl,
          dbName,
          accessToken: moderator.accessToken,
          rate: RATE,
          seconds: STREAM_SECONDS,
          say,
        },
        snap.engine,
      );
      for (const w of [results.stream.engine, results.stream.socketSameWindow, results.stream.socketAlone])
        results.problems.push(...w.problems.slice(0, 5));
      template = { dir: snap.dir, account: { userId: moderator.userId, coreUrl: core.url } };
      // The core and the database are not needed by the cache-only parts: stop them to free the CPUs.
      for (const c of cleanups.splice(0).reverse()) await c();
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      dbCreated = false;
    }
    if (PHASES.has('apply')) {
      say('(2) live apply rate …');
      results.apply = await runLiveApply({ template, budgetMs: APPLY_BUDGET_MS, tempDirs, say });
    }
    if (PHASES.has('search')) {
      results.search = await runSearch({ rows: SEARCH_ROWS, queries: SEARCHES, tempDirs, say });
    }
  } finally {
    await cleanup();
  }
  results.machine.loadAfter = loadAverage();
  results.totalSeconds = (performance.now() - started) / 1000;
  fs.writeFileSync(JSON_OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${report(results)}`);
  say(`figures written to ${path.relative(process.cwd(), JSON_OUT)}`);
  if (results.problems.length) {
    console.error(`verification failed:\n  ${results.problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

/** Machine busy, then CPU by whom: core, PostgreSQL, this process, kernel, steal, other processes. */
const cpuCells = (c: WindowCpu, per: number) => {
  const d = per === 1 ? 0 : 2;
  return [c.machineBusy * 100, c.serverMs, c.postgresMs, c.clientMs, c.kernelMs, c.stealMs, c.foreignMs]
    .map((x, i) => (i === 0 ? `${fmt(x, 0)} %` : fmt(x / per, d)))
    .join(' | ');
};
const CPU_HEAD = 'machine busy | core | PostgreSQL | bench process | kernel | steal | other processes';
const CPU_ALIGN = '---:|---:|---:|---:|---:|---:|---:';
const lat = (l: LatencySummary) => `${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.p99)} | ${fmt(l.max)}`;
const met = (ok: boolean) => (ok ? 'met' : 'not met');

function report(r: Results): string {
  const m = r.machine;
  const out: string[] = [
    `bench:engine — ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${fmt(r.totalSeconds, 0)} s`,
    '',
    `Machine: ${m.cpus}× ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}, ${m.postgres}; load average before ${m.loadBefore.join(' / ')}, after ${m.loadAfter}.`,
    '',
  ];
  const goals: string[] = [];
  if (r.snapshot) {
    const x = r.snapshot;
    const e = x.engine;
    out.push(
      `### (1) Snapshot sync of ${int(x.cases)} cases (pages of 1,000)`,
      '',
      `CPU over each window in ms, by whom (the machine has 2 CPUs: 2,000 ms of CPU per second; "bench process" is the engine with its cache worker thread, or the raw HTTP client; "kernel" is interrupts and kernel threads — I/O completion, the ext4 journal, writeback; "other processes" is everything else on this shared machine):`,
      '',
      `| | time | pages | MiB | ${CPU_HEAD} |`,
      `|---|---:|---:|---:|${CPU_ALIGN}|`,
      `| **engine: \`auth.login\` → \`sync.status\` online** | **${s(e.onlineMs)}** | | | ${cpuCells(e.cpu, 1)} |`,
      `| ↳ \`auth.login\` answered | ${s(e.loginMs)} | | | | | | | | | |`,
      `| ↳ last snapshot page in the cache | ${s(e.pagedMs)} | | | | | | | | | |`,
      `| ↳ the engine's follow-up of every \`cases.changed\` done (held cases, counts) | ${s(e.settledMs)} | | | | | | | | | |`,
      ...x.raw.map(
        (p, i) =>
          `| baseline: raw \`GET /ops/sync\` paging, no writes (pass ${i + 1}${i === 0 ? ', before the engine' : ', after'}) | ${s(p.ms)} | ${p.pages} | ${fmt(p.megabytes)} | ${cpuCells(p.cpu, 1)} |`,
      ),
      `| baseline: \`opsSyncResponseSchema.parse\` of those pages | ${s(x.contractMs)} | | | | | | | | | |`,
      `| baseline: \`CaseCache.applyChanges\` of those pages, in-process | ${s(x.cacheApplyMs)} | | | | | | | | | |`,
      '',
      `Other processes: engine — ${e.cpu.foreignTop.join(', ') || 'none'}; raw pass 1 — ${x.raw[0]!.cpu.foreignTop.join(', ') || 'none'}; raw pass 2 — ${x.raw[1]?.cpu.foreignTop.join(', ') || 'none'}.`,
      '',
      `Verification: \`cases.list\` {limit: 100000} → total ${int(e.list.total)}, ${int(e.list.items)} items (${s(e.list.ms)} through the bridge); ${e.statusEvents} \`sync.status\` and ${e.casesChangedEvents} \`cases.changed\` events.`,
      '',
    );
    goals.push(
      `| snapshot of ${int(x.cases)} cases < 10 s | ${s(e.onlineMs)} | ${met(e.onlineMs < GOALS.snapshotMs)} |`,
    );
  }
  if (r.apply) {
    const a = r.apply;
    out.push(
      `### (2) Live apply rate (cache holding ${int(a.cachedCases)} cases; each run ≤ ${a.budgetMs} ms)`,
      '',
      'Baseline: plain prepared statements (`INSERT` of the new case; for a claim, `UPDATE … WHERE id = ?` of the columns it changes) into a copy of the same file — the same `cases` table, its six indexes and its FTS5 trigram index with its triggers.',
      '',
      '| path | event | batch | events/s | events | % of raw (same event, same batch) |',
      '|---|---|---:|---:|---:|---:|',
    );
    for (const run of a.runs) {
      const raw = a.runs.find(
        (x) => x.path === 'raw better-sqlite3' && x.batch === run.batch && x.kind === run.kind,
      )!;
      const ratio = run.perSecond / raw.perSecond;
      const path = run.statement ? `${run.path} (\`${run.statement}\`)` : run.path;
      out.push(
        `| ${path} | ${run.kind} | ${run.batch} | ${int(run.perSecond)} | ${int(run.events)} | ${run === raw ? 'baseline' : `${fmt(ratio * 100)} %`} |`,
      );
      if (run !== raw)
        goals.push(
          `| apply ≥ 30 % of raw: ${run.path}, ${run.kind}, batch ${run.batch} | ${fmt(ratio * 100)} % | ${met(ratio >= GOALS.applyRatio)} |`,
        );
    }
    out.push('');
  }
  if (r.search) {
    const x = r.search;
    out.push(
      `### (3) Offline search over ${int(x.rows)} cached cases (${fmt(x.fileMegabytes, 0)} MiB file; filled in ${s(x.fillMs)} of \`applyChanges\`, pages of ${x.pageSize}), ${x.queriesPerClass} queries per class`,
      '',
      '| terms | through | p50 ms | p95 ms | p99 ms | max ms | found | mean matches |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...x.classes.map(
        (c) =>
          `| ${c.terms} | \`${c.via}\` | ${lat(c.latency)} | ${fmt(c.found * 100, 0)} % | ${int(c.meanMatches)} |`,
      ),
      '',
      `Examples: ${x.examples.long.join('、')} / ${x.examples.short.join('、')}`,
      '',
    );
    for (const c of x.classes)
      goals.push(
        `| search p95 < 50 ms: ${c.terms}, \`${c.via}\` | ${fmt(c.latency.p95)} ms | ${met(c.latency.p95 < GOALS.searchP95Ms)} |`,
      );
  }
  if (r.stream) {
    const x = r.stream;
    const row = (label: string, w: StreamWindow) =>
      `| ${label} | ${int(w.committed)} (${fmt(w.achievedPerSecond, 0)}/s) | ${int(w.delivered)} | ${lat(w.latency)} | ${cpuCells(w.cpu, w.committed)} |`;
    out.push(
      `### (4) Event commit → renderer at ${x.rate} events/s for ${x.seconds} s`,
      '',
      `Latency: from the case's \`updatedAt\` (stamped just before its one-insert transaction) to the receiver. CPU in ms per event, by whom (as in (1)).`,
      '',
      `| receiver | committed | delivered | p50 ms | p95 ms | p99 ms | max ms | ${CPU_HEAD} |`,
      `|---|---:|---:|---:|---:|---:|---:|${CPU_ALIGN}|`,
      row('**engine → `cases.changed` subscriber** (per event)', x.engine),
      row('baseline: bare socket.io client on `/ops`, same window and process', x.socketSameWindow),
      row('baseline: bare socket.io client on `/ops`, alone (own window)', x.socketAlone),
      '',
      `Other processes: engine window — ${x.engine.cpu.foreignTop.join(', ') || 'none'}; socket-alone window — ${x.socketAlone.cpu.foreignTop.join(', ') || 'none'}.`,
      `The engine applied the window's events in ${int(x.engine.batches)} batches: ${fmt(x.engine.eventsPerBatch.mean, 2)} events per batch on average (p50 ${x.engine.eventsPerBatch.p50}, p99 ${x.engine.eventsPerBatch.p99}, max ${x.engine.eventsPerBatch.max}).`,
      `Verification: ${[x.engine, x.socketSameWindow, x.socketAlone].every((w) => !w.problems.length) ? 'every committed event reached every receiver (engine: a `cases.changed` naming its case, at or after its seq)' : `FAILED — ${[...x.engine.problems, ...x.socketSameWindow.problems, ...x.socketAlone.problems].slice(0, 3).join('; ')}`}.`,
      '',
    );
    goals.push(
      `| commit → renderer p99 < 150 ms at ${x.rate}/s | ${fmt(x.engine.latency.p99)} ms | ${met(x.engine.latency.p99 < GOALS.streamP99Ms)} |`,
    );
  }
  out.push('### Goals', '', '| goal | this run | |', '|---|---:|---|', ...goals, '');
  if (r.problems.length) out.push(`Problems: ${r.problems.join('; ')}`, '');
  return out.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
