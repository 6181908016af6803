/**
 * bench:core on the embedded default (`npm run bench:core:pglite`): the same paid orders and search mix
 * as run.ts, against a core whose database is PGlite in its own process — what `npm start` runs.
 *
 *  1. Forks the core (server.ts) on a fresh PGlite folder; the core migrates it. PGlite has one owner,
 *     so the bench's bulk data, its ceiling tables and its checks reach the database through the core's
 *     IPC channel (`CoreProcess.sql`), never over a socket.
 *  2. Paid orders (create → signed Alipay notification → escrow), then the search mix over the catalog,
 *     with sampled answers compared against a brute-force scan (index scans off, in a transaction).
 *  3. Closes the core, reopens the folder in this process and runs the ceiling: the same minimal paid
 *     order as run.ts (2 transactions, 9 statements on copies of the core's tables) straight into PGlite,
 *     with no HTTP, JSON, signature or Kysely — the most a single-process PGlite can do for this work.
 *     Then `checkLedger` and the orders' final states on the same folder.
 *
 * Knobs: BENCH_CONCURRENCY (50), BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (3), BENCH_LISTINGS (10000),
 * BENCH_SEARCH_QUERIES (2000), BENCH_SEARCH_CONCURRENCY (8), BENCH_SEARCH_VERIFY (60),
 * BENCH_PHASES (orders,search,ceiling), BENCH_JSON (write the figures there). It prints a Markdown
 * section for bench/RESULTS.md; nothing is written there by itself.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { checkLedger } from '../../core/src/modules/ledger/check';
import { openDb } from '../../core/src/platform/db/database';
import { AccessTokens } from '../../core/src/platform/http/auth';
import { startSandbox } from '../../core/src/sandbox';
import { createCeilingTables, minimalPaidOrderLoop, pgliteCeilingDb } from './baseline';
import { envNumber, sampledOrderProblems, say } from './common';
import { CoreProcess } from './core-process';
import { writeCategories, writeListings, writePeople } from './data';
import { closedLoop, HttpClient, type LoadResult } from './load';
import { type CpuSpent, cpuBetween, cpuMark, describeMachine, loadAverage } from './machine';
import { type PaidOrderTarget, paidOrder } from './orders';
import { runSearch, type SearchResult, verifySearch } from './search';

const num = envNumber;

const cfg = {
  concurrency: num('BENCH_CONCURRENCY', 50),
  seconds: num('BENCH_SECONDS', 20),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 3),
  listings: num('BENCH_LISTINGS', 10_000),
  orderServices: 300,
  clients: 2_000,
  freelancers: 5_000,
  searchQueries: num('BENCH_SEARCH_QUERIES', 2_000),
  searchConcurrency: num('BENCH_SEARCH_CONCURRENCY', 8),
  searchVerify: num('BENCH_SEARCH_VERIFY', 60),
  seed: 20261126,
  phases: new Set((process.env['BENCH_PHASES'] || 'orders,search,ceiling').split(',').map((s) => s.trim())),
  jsonFile: process.env['BENCH_JSON'] || '',
};

interface Window {
  result: LoadResult;
  cpu: CpuSpent | null;
}

/** A closed loop with the CPU of this process and of `serverCpu`'s process over exactly its window. */
async function measured(
  serverCpu: () => Promise<{ user: number; system: number }>,
  loop: (onWindow: (edge: 'start' | 'end') => void) => Promise<LoadResult>,
): Promise<Window> {
  let start: Promise<ReturnType<typeof cpuMark>> | undefined;
  let end: Promise<ReturnType<typeof cpuMark>> | undefined;
  const result = await loop((edge) => {
    const m = serverCpu().then((us) => cpuMark(us, []));
    if (edge === 'start') start = m;
    else end = m;
  });
  if (!start || !end) return { result, cpu: null };
  const [a, b] = await Promise.all([start, end]);
  return { result, cpu: cpuBetween(a, b) };
}

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-bench-pglite-'));
  const machine = describeMachine('PGlite (embedded, in the core process)', {});
  const loadAt: Record<string, string> = { before: loadAverage() };
  say(
    `${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}; load ${loadAt['before']}; PGlite in ${folder}`,
  );
  const sandbox = await startSandbox({ port: 0, log: pino({ level: 'silent' }) });
  let core: CoreProcess | undefined;
  try {
    const jwtSecret = randomBytes(32).toString('hex');
    let t = performance.now();
    core = await CoreProcess.start({
      pgliteDir: folder,
      migrate: true,
      jwtSecret,
      sandbox: sandbox.credentials,
    });
    const started = core;
    say(
      `core (pid ${started.child.pid}) migrated its PGlite and listens at ${started.url} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );

    t = performance.now();
    const db = started.sql();
    const catalog = await writeCategories(db);
    const people = await writePeople(db, {
      clients: cfg.clients,
      freelancers: cfg.freelancers,
      seed: cfg.seed,
    });
    const serviceIds = await writeListings(db, {
      count: Math.max(cfg.orderServices, cfg.listings),
      owners: people.freelancerIds,
      catalog,
      seed: cfg.seed,
    });
    await createCeilingTables(db);
    await db.query('VACUUM ANALYZE');
    const loadSeconds = (performance.now() - t) / 1000;
    say(
      `loaded ${people.clientIds.length} clients, ${people.freelancerIds.length} freelancers, ${serviceIds.length} listings (${loadSeconds.toFixed(1)} s)`,
    );

    const http = new HttpClient(started.url, cfg.concurrency + 8);
    const tokens = new AccessTokens(jwtSecret, 3600);
    const target: PaidOrderTarget = {
      serviceIds: serviceIds.slice(0, cfg.orderServices),
      clientTokens: await Promise.all(
        people.clientIds.map((id) => tokens.issue({ userId: id, staffRoles: [] })),
      ),
      alipayAppId: sandbox.credentials.alipay.appId,
      gatewayKey: createPrivateKey(sandbox.secrets.alipayGatewayPrivateKey),
    };
    const coreCpu = async () => (await started.stats()).cpuUs;

    let orders: Window | null = null;
    const sampled: { orderId: number; token: string }[] = [];
    if (cfg.phases.has('orders')) {
      say(`paid orders: ${cfg.concurrency} clients, ${cfg.warmupSeconds} s warm-up + ${cfg.seconds} s…`);
      orders = await measured(coreCpu, (onWindow) =>
        closedLoop({
          concurrency: cfg.concurrency,
          warmupMs: cfg.warmupSeconds * 1000,
          durationMs: cfg.seconds * 1000,
          onWindow,
          op: async (w, n) => {
            const t0 = performance.now();
            const { created, parts, token } = await paidOrder(http, target, w, n, cfg.concurrency);
            const total = performance.now() - t0;
            if ((w * 1_000_003 + n) % 53 === 0) sampled.push({ orderId: created.order.id, token });
            return { ...parts, total };
          },
        }),
      );
      loadAt['after orders'] = loadAverage();
      const o = orders.result;
      say(
        `paid orders: ${o.perSecond.toFixed(0)}/s, p50 ${o.latency['total']!.p50.toFixed(1)} ms, p99 ${o.latency['total']!.p99.toFixed(1)} ms, errors ${o.errors}`,
      );
    }

    let search: (SearchResult & { cpu: CpuSpent | null }) | null = null;
    if (cfg.phases.has('search')) {
      say(
        `search: ${cfg.searchQueries} queries at concurrency ${cfg.searchConcurrency} over ${serviceIds.length} listings…`,
      );
      const a = cpuMark(await coreCpu(), []);
      const s = await runSearch(http, catalog, {
        total: cfg.searchQueries,
        warmup: 200,
        concurrency: cfg.searchConcurrency,
        seed: cfg.seed,
      });
      search = { ...s, cpu: cpuBetween(a, cpuMark(await coreCpu(), [])) };
      loadAt['after search'] = loadAverage();
      say(
        `search: p50 ${s.overall.p50.toFixed(1)} ms, p95 ${s.overall.p95.toFixed(1)} ms, p99 ${s.overall.p99.toFixed(1)} ms, ${s.perSecond.toFixed(0)} q/s`,
      );
      if (cfg.searchVerify > 0) {
        const checked = await verifySearch(http, catalog, started.sql({ scan: true }), {
          samples: cfg.searchVerify,
          seed: cfg.seed,
        });
        search.problems.push(...checked.problems);
        search.verified = checked.compared - checked.problems.length;
        say(`search: ${search.verified} of ${checked.compared} sampled answers equal a brute-force scan`);
      }
    }

    // Sampled orders through the typed client while the core is up.
    const sampleProblems = await sampledOrderProblems(started.url, sampled);
    http.close();
    await started.close();
    core = undefined;

    // The folder is this process's now: the ceiling straight into PGlite, then the ledger's invariants.
    const local = await openDb({ dataDir: folder });
    let ceiling: Window | null = null;
    let ledger: Awaited<ReturnType<typeof checkLedger>> | null = null;
    let statuses: Record<string, number> = {};
    try {
      if (cfg.phases.has('ceiling') && local.native.kind === 'pglite') {
        say(`ceiling: the minimal paid order straight into PGlite at ${cfg.concurrency} clients…`);
        const own = async () => process.cpuUsage();
        ceiling = await measured(own, (onWindow) =>
          minimalPaidOrderLoop(
            pgliteCeilingDb(local.native.kind === 'pglite' ? local.native.pglite : never()),
            {
              concurrency: cfg.concurrency,
              warmupMs: cfg.warmupSeconds * 1000,
              durationMs: cfg.seconds * 1000,
              serviceIds: target.serviceIds,
              clientIds: people.clientIds,
              onWindow,
            },
          ),
        );
        loadAt['after ceiling'] = loadAverage();
        say(
          `ceiling: ${ceiling.result.perSecond.toFixed(0)}/s, p99 ${ceiling.result.latency['total']!.p99.toFixed(1)} ms, errors ${ceiling.result.errors}`,
        );
      }
      ledger = await checkLedger(local.read);
      const rows = await sql<{ status: string; n: number }>`
        SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status`.execute(local.write);
      statuses = Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
    } finally {
      await local.close();
    }

    const report = {
      machine,
      config: { ...cfg, phases: [...cfg.phases] },
      loadAt,
      loadSeconds,
      orders,
      search,
      ceiling,
      verification: {
        sampled: sampled.length,
        sampleProblems,
        statuses,
        ledgerOk: ledger?.ok ?? null,
        ledgerProblems: ledger?.problems.slice(0, 5) ?? [],
      },
    };
    console.log(`\n${markdown(report)}`);
    if (cfg.jsonFile) fs.writeFileSync(cfg.jsonFile, `${JSON.stringify(report, null, 2)}\n`);

    const failures: string[] = [];
    if (sampleProblems.length)
      failures.push(`sampled orders not paid: ${sampleProblems.slice(0, 5).join('; ')}`);
    if (ledger && !ledger.ok)
      failures.push(
        `checkLedger failed: ${ledger.problems
          .slice(0, 5)
          .map((p) => p.detail)
          .join('; ')}`,
      );
    if ((statuses['awaiting_payment'] ?? 0) > 0)
      failures.push(`${statuses['awaiting_payment']} orders were never paid`);
    if (orders && orders.result.errors > 0)
      failures.push(`${orders.result.errors} paid orders failed: ${orders.result.firstError}`);
    if (search?.problems.length) failures.push(`search: ${search.problems.join('; ')}`);
    if (failures.length) throw new Error(`verification failed:\n  ${failures.join('\n  ')}`);
  } finally {
    await core?.close();
    await sandbox.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function never(): never {
  throw new Error('unreachable');
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const perOp = (w: Window | null, key: 'serverMs' | 'clientMs') =>
  w?.cpu && w.result.completed ? (w.cpu[key] / w.result.completed).toFixed(2) : '–';

function markdown(r: {
  machine: ReturnType<typeof describeMachine>;
  loadAt: Record<string, string>;
  loadSeconds: number;
  orders: Window | null;
  search: (SearchResult & { cpu: CpuSpent | null }) | null;
  ceiling: Window | null;
  verification: {
    sampled: number;
    sampleProblems: string[];
    statuses: Record<string, number>;
    ledgerOk: boolean | null;
  };
}): string {
  const lines: string[] = [];
  lines.push(`### bench:core on PGlite — ${r.machine.date.slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load ${Object.entries(
      r.loadAt,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${cfg.listings} listings loaded in ${r.loadSeconds.toFixed(0)} s.`,
  );
  lines.push('');
  lines.push(
    '| path | per second | p50 ms | p99 ms | errors | CPU ms/op (core process ‖ this process) | machine busy |',
  );
  lines.push('|---|---:|---:|---:|---:|---|---:|');
  const row = (name: string, w: Window | null, cpuKey: 'serverMs' | 'clientMs') => {
    if (!w) return;
    const l = w.result.latency['total']!;
    lines.push(
      `| ${name} | ${w.result.perSecond.toFixed(0)} | ${ms(l.p50)} | ${ms(l.p99)} | ${w.result.errors} | ${perOp(w, cpuKey)} | ${w.cpu ? `${(100 * w.cpu.machineBusy).toFixed(0)} %` : '–'} |`,
    );
  };
  row(`paid orders, ${cfg.concurrency} clients (core over HTTP, PGlite inside it)`, r.orders, 'serverMs');
  row(`ceiling: minimal paid order straight into PGlite, ${cfg.concurrency} callers`, r.ceiling, 'clientMs');
  if (r.orders && r.ceiling)
    lines.push(
      `\nPaid orders are **${((100 * r.orders.result.perSecond) / r.ceiling.result.perSecond).toFixed(0)} %** of the PGlite ceiling measured in the same run.`,
    );
  if (r.search) {
    const s = r.search;
    lines.push('');
    lines.push(
      `Search, ${s.queries} queries at concurrency ${cfg.searchConcurrency}: **${s.perSecond.toFixed(0)} q/s, p50 ${ms(s.overall.p50)} ms, p95 ${ms(s.overall.p95)} ms, p99 ${ms(s.overall.p99)} ms**; core process CPU ${s.cpu ? (s.cpu.serverMs / s.queries).toFixed(2) : '–'} ms/query; ${s.verified ?? 0} of ${cfg.searchVerify} sampled answers equal a brute-force scan.`,
    );
    lines.push('');
    lines.push('| class | p50 ms | p95 ms | p99 ms | hit rate |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const c of s.classes)
      lines.push(
        `| ${c.name} | ${ms(c.latency.p50)} | ${ms(c.latency.p95)} | ${ms(c.latency.p99)} | ${(100 * c.hitRate).toFixed(0)} % |`,
      );
  }
  const v = r.verification;
  lines.push('');
  lines.push(
    `Verified: ${v.sampled - v.sampleProblems.length} of ${v.sampled} sampled orders \`pending_acceptance\` over HTTP; checkLedger ${v.ledgerOk === null ? 'not run' : v.ledgerOk ? 'ok' : 'FAILED'}; orders by status ${JSON.stringify(v.statuses)}.`,
  );
  return lines.join('\n');
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
