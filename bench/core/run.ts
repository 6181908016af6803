/**
 * `npm run bench:core` — benchmarks of the core against a local PostgreSQL server (not tests).
 *
 *  1. Creates a scratch database `jx_bench_<random>` on BENCH_DATABASE_URL's server, migrates it
 *     (`migrateToLatest`), bulk-loads clients, freelancers and 100,000 published listings, VACUUM ANALYZE.
 *  2. Starts the sandbox gateway (for its keys only) and forks the real core (server.ts).
 *  3. Measures: listing search over HTTP; `/healthz` at the paid-order concurrency; paid orders end to
 *     end (create + signed notify + escrow postings) at 50 concurrent clients; the raw-`pg` floors.
 *  4. Verifies (sampled order states over HTTP, every order's final state, `checkLedger`), prints a
 *     table, rewrites the generated part of bench/RESULTS.md, and drops the database — also on failure
 *     and on Ctrl-C.
 *
 * Knobs (environment): BENCH_DATABASE_URL, BENCH_CONCURRENCY (50), BENCH_SECONDS (20),
 * BENCH_WARMUP_SECONDS (3), BENCH_LISTINGS (100000), BENCH_SEARCH_QUERIES (6000),
 * BENCH_SEARCH_CONCURRENCY (8), BENCH_SEARCH_VERIFY (60 answers compared with a brute-force scan), BENCH_PHASES (all | comma list of search,healthz,orders,raw),
 * BENCH_CPU_PROF (directory: profile the core with --cpu-prof), BENCH_RESULTS (file, or `none`),
 * BENCH_JSON (also write the raw figures there).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { checkLedger } from '../../core/src/modules/ledger/check';
import { openDb } from '../../core/src/platform/db/database';
import { migrateToLatest } from '../../core/src/platform/db/migrate';
import { AccessTokens } from '../../core/src/platform/http/auth';
import { startSandbox } from '../../core/src/sandbox/index';
import {
  createBaselineTable,
  createCeilingTables,
  minimalPaidOrderLoop,
  pgCeilingDb,
  rawPgLoop,
} from './baseline';
import { envNumber, sampledOrderProblems, say } from './common';
import { CoreProcess } from './core-process';
import { writeCategories, writeListings, writePeople } from './data';
import { closedLoop, HttpClient, type LoadResult, Samples } from './load';
import { type CpuMark, type CpuSpent, cpuBetween, cpuMark, describeMachine, loadAverage } from './machine';
import { type PaidOrderTarget, paidOrder } from './orders';
import { type BenchResults, printSummary, updateResultsFile } from './report';
import { runSearch, verifySearchOnPg } from './search';

const here = path.dirname(fileURLToPath(import.meta.url));
const num = envNumber;

const cfg = {
  adminUrl: process.env['BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
  concurrency: num('BENCH_CONCURRENCY', 50),
  seconds: num('BENCH_SECONDS', 20),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 3),
  listings: num('BENCH_LISTINGS', 100_000),
  orderServices: 300,
  clients: 2_000,
  freelancers: 5_000,
  searchQueries: num('BENCH_SEARCH_QUERIES', 6_000),
  searchConcurrency: num('BENCH_SEARCH_CONCURRENCY', 8),
  searchVerify: num('BENCH_SEARCH_VERIFY', 60),
  poolSize: 20,
  seed: 20261126,
  phases: new Set(
    (process.env['BENCH_PHASES'] || 'search,healthz,orders,raw').split(',').map((s) => s.trim()),
  ),
  cpuProfDir: process.env['BENCH_CPU_PROF'] || '',
  resultsFile: process.env['BENCH_RESULTS'] || path.join(here, '..', 'RESULTS.md'),
  jsonFile: process.env['BENCH_JSON'] || '',
};

// --- scratch database, dropped whatever happens ------------------------------------------------------
const dbName = `jx_bench_${randomBytes(5).toString('hex')}`;
const benchUrl = (() => {
  const u = new URL(cfg.adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
for (const h of [new URL(cfg.adminUrl).hostname]) {
  if (h !== '127.0.0.1' && h !== 'localhost' && h !== '::1')
    throw new Error(`BENCH_DATABASE_URL must point at the local server, not ${h}`);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: cfg.adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('cleanup:', (err as Error).message);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping, dropping ${dbName}…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- phases ------------------------------------------------------------------------------------------
interface Measured {
  result: LoadResult;
  cpu: CpuSpent | null;
  serverElu: number | null;
  serverStatements: number | null;
}

/** The PostgreSQL processes working for this bench: backends on its database and background processes. */
let pgPids: number[] = [];
async function refreshPgPids(): Promise<void> {
  pgPids = await admin(async (c) =>
    (
      await c.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`,
        [dbName],
      )
    ).rows.map((r) => r.pid),
  );
}
const mark = (s: { cpuUs: { user: number; system: number } }) => cpuMark(s.cpuUs, pgPids);

/** A closed loop with CPU accounting over exactly its measured window. */
async function measured(
  core: CoreProcess,
  loop: (onWindow: (edge: 'start' | 'end') => void) => Promise<LoadResult>,
): Promise<Measured> {
  let start: Promise<{ mark: CpuMark; statements: number }> | undefined;
  let end: Promise<{ mark: CpuMark; statements: number; elu: number }> | undefined;
  const result = await loop((edge) => {
    if (edge === 'start')
      // Pools connect during the warm-up: list the backends when the window opens.
      start = refreshPgPids()
        .then(() => core.stats(true))
        .then((s) => ({ mark: mark(s), statements: s.statements }));
    else
      end = core
        .stats()
        .then((s) => ({ mark: mark(s), statements: s.statements, elu: s.eventLoopUtilization }));
  });
  if (!start || !end) return { result, cpu: null, serverElu: null, serverStatements: null };
  const [a, b] = await Promise.all([start, end]);
  return {
    result,
    cpu: cpuBetween(a.mark, b.mark),
    serverElu: b.elu,
    serverStatements: b.statements - a.statements,
  };
}

async function main(): Promise<void> {
  const pgInfo = await admin(async (c) => {
    const v = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const settings: Record<string, string> = {};
    for (const name of ['shared_buffers', 'synchronous_commit', 'max_connections', 'work_mem', 'fsync']) {
      settings[name] = (await c.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
    }
    return { v, settings };
  });
  const machine = describeMachine(`PostgreSQL ${pgInfo.v}`, pgInfo.settings);
  say(
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.postgres}; load ${loadAverage()}`,
  );
  const loadAt: Record<string, string> = { before: loadAverage() };

  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  cleanups.push(async () => {
    if (process.env['BENCH_KEEP_DB'] === '1')
      return say(`kept ${dbName} (BENCH_KEEP_DB=1): drop it yourself`);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    say(`dropped ${dbName}`);
  });
  say(`created ${dbName}`);

  // Schema through the core's own migrations.
  const db = await openDb({ url: benchUrl, poolSize: 4 });
  cleanups.push(() => db.close());
  await migrateToLatest(db);

  // Bulk data.
  const setupMs: Record<string, number> = {};
  const bulk = new pg.Client({ connectionString: benchUrl });
  await bulk.connect();
  let t = performance.now();
  const catalog = await writeCategories(bulk);
  const people = await writePeople(bulk, {
    clients: cfg.clients,
    freelancers: cfg.freelancers,
    seed: cfg.seed,
  });
  setupMs['users'] = performance.now() - t;
  t = performance.now();
  // Listing i is owned by freelancer i % freelancers: the first `orderServices` have distinct owners and
  // are the ones ordered; all `listings` are searched.
  const listingCount = Math.max(cfg.orderServices, cfg.listings);
  const serviceIds = await writeListings(bulk, {
    count: listingCount,
    owners: people.freelancerIds,
    catalog,
    seed: cfg.seed,
  });
  setupMs['listings'] = performance.now() - t;
  t = performance.now();
  await bulk.query('VACUUM ANALYZE');
  setupMs['vacuum analyze'] = performance.now() - t;
  await bulk.end();
  await createBaselineTable(benchUrl);
  {
    const c = new pg.Client({ connectionString: benchUrl });
    await c.connect();
    await createCeilingTables(c).finally(() => c.end());
  }
  say(
    `loaded ${people.clientIds.length} clients, ${people.freelancerIds.length} freelancers, ${serviceIds.length} published listings (${Object.entries(
      setupMs,
    )
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')})`,
  );

  // The sandbox gateway, for its keys; the bench client plays the gateway on the hot path.
  const sandbox = await startSandbox({ port: 0, log: pino({ level: 'silent' }) });
  cleanups.push(() => sandbox.close());
  const jwtSecret = randomBytes(32).toString('hex');
  const cpuProfArgs = cfg.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cfg.cpuProfDir)}`] : [];
  const core = await CoreProcess.start(
    {
      databaseUrl: benchUrl,
      jwtSecret,
      sandbox: sandbox.credentials,
      poolSize: cfg.poolSize,
      ...(process.env['BENCH_KEEP_DB'] === '1'
        ? {}
        : { orphanDrop: { adminUrl: cfg.adminUrl, database: dbName } }),
    },
    cpuProfArgs,
  );
  cleanups.push(() => core.close());
  say(`core listening at ${core.url} (pid ${core.child.pid}, pool ${cfg.poolSize})`);

  const http = new HttpClient(core.url, cfg.concurrency + 8);
  cleanups.push(async () => http.close());
  const tokens = new AccessTokens(jwtSecret, 3600);
  const clientTokens = await Promise.all(
    people.clientIds.map((id) => tokens.issue({ userId: id, staffRoles: [] })),
  );
  const target: PaidOrderTarget = {
    serviceIds: serviceIds.slice(0, cfg.orderServices),
    clientTokens,
    alipayAppId: sandbox.credentials.alipay.appId,
    gatewayKey: createPrivateKey(sandbox.secrets.alipayGatewayPrivateKey),
  };

  const results: BenchResults = {
    machine,
    config: {
      concurrency: cfg.concurrency,
      seconds: cfg.seconds,
      warmupSeconds: cfg.warmupSeconds,
      listings: serviceIds.length,
      orderServices: cfg.orderServices,
      clients: cfg.clients,
      poolSize: cfg.poolSize,
      searchQueries: cfg.searchQueries,
      searchConcurrency: cfg.searchConcurrency,
    },
    setupMs,
    loadAt,
    statements: null,
    search: null,
    healthz: null,
    orders: null,
    rawInsertUpdate: null,
    rawOrderShaped: null,
    ceiling: null,
    verification: null,
  };

  // Statements per paid order, one order at a time; the pauses let post-commit work (the event
  // sequencer's pass) land in the bucket of the request that caused it.
  {
    const settle = () => new Promise((r) => setTimeout(r, 30));
    const n = 30;
    for (let i = 0; i < 5; i++) await paidOrder(http, target, 0, i, cfg.concurrency);
    await settle();
    let create = 0;
    let notify = 0;
    const createMs = new Samples();
    const notifyMs = new Samples();
    const s0 = await core.stats();
    for (let i = 0; i < n; i++) {
      const a = await core.stats();
      let mid = a;
      const { parts } = await paidOrder(http, target, 1, i, cfg.concurrency, async () => {
        await settle();
        mid = await core.stats();
      });
      createMs.add(parts['create']!);
      notifyMs.add(parts['notify']!);
      await settle();
      const b = await core.stats();
      create += mid.statements - a.statements;
      notify += b.statements - mid.statements;
    }
    const s1 = await core.stats();
    const byKind: Record<string, number> = {};
    for (const [k, v] of Object.entries(s1.byKind)) {
      const d = v - (s0.byKind[k] ?? 0);
      if (d > 0) byKind[k] = d / n;
    }
    results.statements = {
      perOrder: (s1.statements - s0.statements) / n,
      create: create / n,
      notify: notify / n,
      transactions: byKind['begin'] ?? 0,
      byKind,
      alone: { create: createMs.summary(), notify: notifyMs.summary() },
    };
    say(
      `statements per paid order (one at a time): ${results.statements.perOrder.toFixed(1)} (create ${results.statements.create.toFixed(1)}, notify ${results.statements.notify.toFixed(1)}), ${results.statements.transactions.toFixed(1)} transactions`,
    );
  }

  if (cfg.phases.has('search')) {
    say(
      `search: ${cfg.searchQueries} queries at concurrency ${cfg.searchConcurrency} over ${serviceIds.length} listings…`,
    );
    await refreshPgPids();
    const a = mark(await core.stats(true));
    const search = await runSearch(http, catalog, {
      total: cfg.searchQueries,
      warmup: 300,
      concurrency: cfg.searchConcurrency,
      seed: cfg.seed,
    });
    const s = await core.stats();
    results.search = { ...search, cpu: cpuBetween(a, mark(s)), serverElu: s.eventLoopUtilization };
    loadAt['after search'] = loadAverage();
    say(
      `search: p50 ${search.overall.p50.toFixed(1)} ms, p95 ${search.overall.p95.toFixed(1)} ms, ${search.perSecond.toFixed(0)} q/s`,
    );
    if (cfg.searchVerify > 0) {
      const checked = await verifySearchOnPg(http, catalog, benchUrl, {
        samples: cfg.searchVerify,
        seed: cfg.seed,
      });
      // results.search shares `problems` (a failed comparison fails the run) and gets the count.
      search.problems.push(...checked.problems);
      const verified = checked.compared - checked.problems.length;
      results.search.verified = verified;
      say(`search: ${verified} of ${checked.compared} sampled answers equal a brute-force scan`);
    }
  }

  if (cfg.phases.has('healthz')) {
    say(`baseline: GET /healthz at ${cfg.concurrency} concurrent clients…`);
    results.healthz = await measured(core, (onWindow) =>
      closedLoop({
        concurrency: cfg.concurrency,
        warmupMs: 2_000,
        durationMs: 8_000,
        onWindow,
        op: async () => {
          const r = await http.request('GET', '/healthz');
          if (r.status !== 200) throw new Error(`healthz: HTTP ${r.status}`);
          return undefined;
        },
      }),
    );
    loadAt['after healthz'] = loadAverage();
    say(
      `healthz: ${results.healthz.result.perSecond.toFixed(0)}/s, p99 ${results.healthz.result.latency['total']!.p99.toFixed(1)} ms`,
    );
  }

  const sampled: { orderId: number; token: string }[] = [];
  if (cfg.phases.has('orders')) {
    say(
      `paid orders: ${cfg.concurrency} concurrent clients, ${cfg.warmupSeconds} s warm-up + ${cfg.seconds} s…`,
    );
    results.orders = await measured(core, (onWindow) =>
      closedLoop({
        concurrency: cfg.concurrency,
        warmupMs: cfg.warmupSeconds * 1000,
        durationMs: cfg.seconds * 1000,
        onWindow,
        op: async (w, n) => {
          const t0 = performance.now();
          const { created, parts, token } = await paidOrder(http, target, w, n + 1000, cfg.concurrency);
          const total = performance.now() - t0;
          if ((w * 1_000_003 + n) % 53 === 0) sampled.push({ orderId: created.order.id, token });
          return { ...parts, total };
        },
      }),
    );
    loadAt['after orders'] = loadAverage();
    const o = results.orders.result;
    say(
      `paid orders: ${o.perSecond.toFixed(0)}/s, p50 ${o.latency['total']!.p50.toFixed(1)} ms, p99 ${o.latency['total']!.p99.toFixed(1)} ms, errors ${o.errors}`,
    );
  }

  if (cfg.phases.has('raw')) {
    say(
      `ceiling: the minimal paid order (2 transactions, named statements) through raw pg at ${cfg.concurrency} clients…`,
    );
    const ceilingDb = pgCeilingDb(benchUrl, cfg.poolSize);
    results.ceiling = await measured(core, (onWindow) =>
      minimalPaidOrderLoop(ceilingDb, {
        concurrency: cfg.concurrency,
        warmupMs: cfg.warmupSeconds * 1000,
        durationMs: cfg.seconds * 1000,
        serviceIds: target.serviceIds,
        clientIds: people.clientIds,
        onWindow,
      }).finally(() => ceilingDb.close()),
    );
    loadAt['after ceiling'] = loadAverage();
    const ceilingRate = results.ceiling.result.perSecond;
    say(
      `ceiling: ${ceilingRate.toFixed(0)}/s, p99 ${results.ceiling.result.latency['total']!.p99.toFixed(1)} ms, errors ${results.ceiling.result.errors}${
        results.orders
          ? ` — the core's paid orders are ${((100 * results.orders.result.perSecond) / ceilingRate).toFixed(0)} % of it`
          : ''
      }`,
    );
    const count = results.orders?.result.completed ?? 5_000;
    say(`baseline: raw pg INSERT+UPDATE transactions, ${count} of them at ${cfg.concurrency} concurrency…`);
    results.rawInsertUpdate = await measured(core, (onWindow) =>
      rawPgLoop(benchUrl, {
        poolSize: cfg.poolSize,
        concurrency: cfg.concurrency,
        warmupMs: 1_000,
        durationMs: cfg.seconds * 1000,
        maxOps: count,
        shape: { transactions: 1, statementsPerTransaction: 2 },
        onWindow,
      }),
    );
    loadAt['after raw pg'] = loadAverage();
    if (results.statements) {
      const tx = Math.max(1, Math.round(results.statements.transactions));
      const perTx = Math.max(2, Math.round((results.statements.perOrder - 2 * tx) / tx));
      say(`baseline: raw pg shaped like a paid order (${tx} transactions × ${perTx} statements)…`);
      results.rawOrderShaped = {
        ...(await measured(core, (onWindow) =>
          rawPgLoop(benchUrl, {
            poolSize: cfg.poolSize,
            concurrency: cfg.concurrency,
            warmupMs: 1_000,
            durationMs: Math.min(10, cfg.seconds) * 1000,
            shape: { transactions: tx, statementsPerTransaction: perTx },
            onWindow,
          }),
        )),
        shape: { transactions: tx, statementsPerTransaction: perTx },
      };
    }
  }

  // Verification: the sampled orders over HTTP, every order's final state, the ledger invariants.
  if (results.orders) {
    // Through the typed client (openapi-fetch): the answer is read as the document types it.
    const sampleProblems = await sampledOrderProblems(core.url, sampled);
    const sampleOk = sampled.length - sampleProblems.length;
    const statuses = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status`.execute(db.write);
    const payments = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM payments GROUP BY status ORDER BY status`.execute(db.write);
    const ledger = await checkLedger(db.read);
    results.verification = {
      sampled: sampled.length,
      sampleOk,
      sampleProblems: sampleProblems.slice(0, 5),
      orderStatuses: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
      paymentStatuses: Object.fromEntries(payments.rows.map((r) => [r.status, Number(r.n)])),
      ledger: {
        ok: ledger.ok,
        journals: ledger.journals,
        postings: ledger.postings,
        escrowHeldFen: ledger.escrowHeldFen,
        problems: ledger.problems.slice(0, 5).map((p) => `${p.kind}: ${p.detail}`),
      },
    };
  }

  await core.close();
  if (cfg.cpuProfDir) say(`core CPU profile written to ${path.resolve(cfg.cpuProfDir)}`);

  printSummary(results);
  if (cfg.jsonFile) fs.writeFileSync(cfg.jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  if (cfg.resultsFile !== 'none') {
    updateResultsFile(cfg.resultsFile, results, { command: 'npm run bench:core', host: os.hostname() });
    say(`wrote ${path.relative(process.cwd(), cfg.resultsFile)}`);
  }

  const v = results.verification;
  const failures: string[] = [];
  if (v && v.sampleOk !== v.sampled) failures.push(`sampled orders not paid: ${v.sampleProblems.join('; ')}`);
  if (v && !v.ledger.ok) failures.push(`checkLedger failed: ${v.ledger.problems.join('; ')}`);
  if (v && (v.orderStatuses['awaiting_payment'] ?? 0) > 0)
    failures.push(`${v.orderStatuses['awaiting_payment']} orders were never paid`);
  if (results.orders && results.orders.result.errors > 0)
    failures.push(`${results.orders.result.errors} paid orders failed: ${results.orders.result.firstError}`);
  if (results.search?.problems.length) failures.push(`search: ${results.search.problems.join('; ')}`);
  if (failures.length) throw new Error(`verification failed:\n  ${failures.join('\n  ')}`);
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
