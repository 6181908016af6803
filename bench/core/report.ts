import fs from 'node:fs';
import type { LatencySummary, LoadResult } from './load';
import type { CpuSpent, Machine } from './machine';
import type { SearchResult } from './search';

interface MeasuredLoop {
  result: LoadResult;
  cpu: CpuSpent | null;
  serverElu: number | null;
  serverStatements: number | null;
}

export interface BenchResults {
  machine: Machine;
  config: {
    concurrency: number;
    seconds: number;
    warmupSeconds: number;
    listings: number;
    orderServices: number;
    clients: number;
    poolSize: number;
    searchQueries: number;
    searchConcurrency: number;
  };
  setupMs: Record<string, number>;
  loadAt: Record<string, string>;
  statements: {
    perOrder: number;
    create: number;
    notify: number;
    transactions: number;
    byKind: Record<string, number>;
    /** Latencies of the two requests with nothing else running (the service time, without queueing). */
    alone: { create: LatencySummary; notify: LatencySummary };
  } | null;
  search: (SearchResult & { cpu: CpuSpent; serverElu: number }) | null;
  healthz: MeasuredLoop | null;
  orders: MeasuredLoop | null;
  rawInsertUpdate: MeasuredLoop | null;
  rawOrderShaped:
    | (MeasuredLoop & { shape: { transactions: number; statementsPerTransaction: number } })
    | null;
  /** The minimal paid order through raw pg (baseline.ts `minimalPaidOrderLoop`): issue 15's ceiling. */
  ceiling: MeasuredLoop | null;
  verification: {
    sampled: number;
    sampleOk: number;
    sampleProblems: string[];
    orderStatuses: Record<string, number>;
    paymentStatuses: Record<string, number>;
    ledger: { ok: boolean; journals: number; postings: number; escrowHeldFen: number; problems: string[] };
  } | null;
}

export const TARGETS = { ordersPerSecond: 1000, orderP99Ms: 50, searchP95Ms: 30 };

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

function latencyCells(l: LatencySummary | undefined): string[] {
  if (!l) return ['–', '–', '–', '–'];
  return [f1(l.p50), f1(l.p95), f1(l.p99), f1(l.max)];
}

function rows(r: BenchResults): { label: string; rate: string; cells: string[]; n: string }[] {
  const out: { label: string; rate: string; cells: string[]; n: string }[] = [];
  const o = r.orders?.result;
  if (o) {
    out.push({
      label: '**paid order** (create → sign → notify)',
      rate: `**${f0(o.perSecond)}**`,
      cells: latencyCells(o.latency['total']),
      n: f0(o.completed),
    });
    out.push({
      label: '↳ `POST /api/v1/orders` (201)',
      rate: '',
      cells: latencyCells(o.latency['create']),
      n: '',
    });
    out.push({
      label: '↳ bench client signs the notification (RSA2, as Alipay)',
      rate: '',
      cells: latencyCells(o.latency['sign']),
      n: '',
    });
    out.push({
      label: '↳ `POST /api/v1/payments/alipay/notify` (`success`)',
      rate: '',
      cells: latencyCells(o.latency['notify']),
      n: '',
    });
  }
  const c = r.ceiling?.result;
  if (c)
    out.push({
      label: `**ceiling: minimal paid order, raw \`pg\`** (2 tx, 9 named statements, same tables)${
        o ? ` — core = **${((100 * o.perSecond) / c.perSecond).toFixed(0)} %** of it` : ''
      }`,
      rate: f0(c.perSecond),
      cells: latencyCells(c.latency['total']),
      n: f0(c.completed),
    });
  const h = r.healthz?.result;
  if (h)
    out.push({
      label: `baseline: \`GET /healthz\`, same ${r.config.concurrency} clients`,
      rate: f0(h.perSecond),
      cells: latencyCells(h.latency['total']),
      n: f0(h.completed),
    });
  const ri = r.rawInsertUpdate?.result;
  if (ri)
    out.push({
      label: `baseline: raw \`pg\` BEGIN; INSERT; UPDATE; COMMIT (pool ${r.config.poolSize})`,
      rate: f0(ri.perSecond),
      cells: latencyCells(ri.latency['total']),
      n: f0(ri.completed),
    });
  const rs = r.rawOrderShaped;
  if (rs)
    out.push({
      label: `baseline: raw \`pg\` shaped like a paid order (${rs.shape.transactions} tx × ${rs.shape.statementsPerTransaction} statements)`,
      rate: f0(rs.result.perSecond),
      cells: latencyCells(rs.result.latency['total']),
      n: f0(rs.result.completed),
    });
  return out;
}

function cpuLine(name: string, m: MeasuredLoop | null, unit: number | null): string | null {
  if (!m?.cpu) return null;
  const per = (ms: number) => (unit ? `${(ms / unit).toFixed(2)} ms` : `${f0(ms)} ms`);
  return `| ${name} | ${pct(m.cpu.machineBusy)} | ${per(m.cpu.serverMs)} | ${per(m.cpu.postgresMs)} | ${per(m.cpu.clientMs)} | ${per(m.cpu.otherMs)} | ${m.serverElu === null ? '–' : pct(m.serverElu)} |`;
}

export function renderMarkdown(r: BenchResults, meta: { command: string; host: string }): string {
  const m = r.machine;
  const L: string[] = [];
  L.push(`## Latest run: ${m.date.slice(0, 16).replace('T', ' ')} UTC`);
  L.push('');
  L.push(
    `Generated by \`${meta.command}\` (host \`${meta.host}\`); everything in this section comes from one run.`,
  );
  L.push('');
  L.push('| machine | |');
  L.push('|---|---|');
  L.push(`| CPUs (\`nproc\`) | ${m.cpus} × ${m.cpuModel} |`);
  L.push(`| memory | ${m.memoryGiB} GiB |`);
  L.push(`| OS | ${m.kernel} |`);
  L.push(`| Node | ${m.node} |`);
  L.push(
    `| database | ${m.postgres} on 127.0.0.1 (${Object.entries(m.postgresSettings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) |`,
  );
  L.push(
    `| load average (1/5/15 min) | ${Object.entries(r.loadAt)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')} |`,
  );
  L.push(
    `| data | ${f0(r.config.listings)} published listings, ${f0(r.config.clients)} clients; setup ${Object.entries(
      r.setupMs,
    )
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')} |`,
  );
  L.push('');

  if (r.orders || r.healthz || r.rawInsertUpdate) {
    L.push(
      `### Paid orders end to end: ${r.config.concurrency} concurrent clients, ${r.config.seconds} s after ${r.config.warmupSeconds} s warm-up`,
    );
    L.push('');
    L.push('| | per second | p50 ms | p95 ms | p99 ms | max ms | measured |');
    L.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const row of rows(r)) L.push(`| ${row.label} | ${row.rate} | ${row.cells.join(' | ')} | ${row.n} |`);
    L.push('');
    const n = r.orders?.result.completed ?? 0;
    L.push(
      'CPU over each measured window (per operation; the machine has ' +
        `${m.cpus} CPUs, i.e. ${m.cpus * 1000} ms of CPU per second):`,
    );
    L.push('');
    L.push(
      '| window | machine busy | core process | PostgreSQL | bench client | other processes | core event loop busy |',
    );
    L.push('|---|---:|---:|---:|---:|---:|---:|');
    const lines = [
      cpuLine('paid orders', r.orders, n || null),
      cpuLine('`/healthz`', r.healthz, r.healthz?.result.completed ?? null),
      cpuLine('raw pg INSERT+UPDATE', r.rawInsertUpdate, r.rawInsertUpdate?.result.completed ?? null),
      cpuLine('raw pg order-shaped', r.rawOrderShaped, r.rawOrderShaped?.result.completed ?? null),
      cpuLine('ceiling (minimal paid order)', r.ceiling, r.ceiling?.result.completed ?? null),
    ].filter((x): x is string => x !== null);
    L.push(...lines);
    L.push('');
    if (r.orders?.serverStatements && n) {
      L.push(
        `Statements the core sent during the paid-order window: ${f0(r.orders.serverStatements)} (${f1(r.orders.serverStatements / n)} per paid order, BEGIN/COMMIT included).`,
      );
      L.push('');
    }
  }

  if (r.statements) {
    const s = r.statements;
    L.push(
      `Statements per paid order, measured one order at a time: **${f1(s.perOrder)}** in ${f1(s.transactions)} transactions (create request ${f1(s.create)}, notify request ${f1(s.notify)}, post-commit work included):`,
    );
    L.push('');
    L.push(
      `One order at a time (no queueing), \`POST /orders\` takes p50 ${f1(s.alone.create.p50)} ms (max ${f1(s.alone.create.max)}) and the notify p50 ${f1(s.alone.notify.p50)} ms (max ${f1(s.alone.notify.max)}).`,
    );
    L.push('');
    L.push('| statement | per order |');
    L.push('|---|---:|');
    for (const [k, v] of Object.entries(s.byKind).sort((a, b) => b[1] - a[1]))
      L.push(`| \`${k}\` | ${f1(v)} |`);
    L.push('');
  }

  if (r.search) {
    const s = r.search;
    L.push(
      `### Search: ${f0(r.config.listings)} published listings, \`GET /api/v1/services\`, concurrency ${r.config.searchConcurrency}, ${f0(s.queries)} queries`,
    );
    L.push('');
    L.push(
      `${f0(s.perSecond)} queries/s; CPU per query: core ${(s.cpu.serverMs / s.queries).toFixed(2)} ms, PostgreSQL ${(s.cpu.postgresMs / s.queries).toFixed(2)} ms; machine busy ${pct(s.cpu.machineBusy)}.`,
    );
    L.push('');
    L.push('| query class | p50 ms | p95 ms | p99 ms | max ms | n | found listings |');
    L.push('|---|---:|---:|---:|---:|---:|---:|');
    L.push(`| **all** | ${latencyCells(s.overall).join(' | ')} | ${f0(s.overall.count)} | |`);
    for (const c of s.classes)
      L.push(
        `| ${c.name} | ${latencyCells(c.latency).join(' | ')} | ${f0(c.latency.count)} | ${pct(c.hitRate)} |`,
      );
    L.push('');
    if (s.verified !== undefined) {
      L.push(
        `Sampled answers equal to a brute-force scan of the table: ${s.verified} (a difference fails the run).`,
      );
      L.push('');
    }
  }

  const v = r.verification;
  if (v) {
    L.push('### Verification');
    L.push('');
    L.push(`- sampled orders read back over HTTP: ${v.sampleOk}/${v.sampled} \`pending_acceptance\``);
    L.push(
      `- orders by status: ${Object.entries(v.orderStatuses)
        .map(([k, n]) => `${k} ${f0(n)}`)
        .join(', ')}; payments: ${Object.entries(v.paymentStatuses)
        .map(([k, n]) => `${k} ${f0(n)}`)
        .join(', ')}`,
    );
    L.push(
      `- \`checkLedger\`: ${v.ledger.ok ? 'ok' : `**FAILED** (${v.ledger.problems.join('; ')})`}, ${f0(v.ledger.journals)} journals, ${f0(v.ledger.postings)} postings, escrow holds ${f0(v.ledger.escrowHeldFen)} fen`,
    );
    L.push('');
  }

  L.push('### Targets');
  L.push('');
  L.push('| target | this run | met |');
  L.push('|---|---:|:---:|');
  const o = r.orders?.result;
  if (o) {
    L.push(
      `| ≥ ${f0(TARGETS.ordersPerSecond)} paid orders/s | ${f0(o.perSecond)}/s | ${o.perSecond >= TARGETS.ordersPerSecond ? 'yes' : 'no'} |`,
    );
    const p99 = o.latency['total']!.p99;
    L.push(
      `| paid-order p99 < ${TARGETS.orderP99Ms} ms | ${f1(p99)} ms | ${p99 < TARGETS.orderP99Ms ? 'yes' : 'no'} |`,
    );
  }
  if (r.search) {
    const p95 = r.search.overall.p95;
    L.push(
      `| search p95 < ${TARGETS.searchP95Ms} ms | ${f1(p95)} ms | ${p95 < TARGETS.searchP95Ms ? 'yes' : 'no'} |`,
    );
  }
  L.push('');
  return L.join('\n');
}

const BEGIN = '<!-- bench:core:begin (generated by npm run bench:core; edits inside are overwritten) -->';
const END = '<!-- bench:core:end -->';

/** Replaces the generated section of the results file (creating the file if needed); the rest is kept. */
export function updateResultsFile(
  file: string,
  r: BenchResults,
  meta: { command: string; host: string },
): void {
  const section = `${BEGIN}\n${renderMarkdown(r, meta)}\n${END}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n\n';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + END.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, text);
}

export function printSummary(r: BenchResults): void {
  const table: Record<string, Record<string, string>> = {};
  for (const row of rows(r)) {
    const [p50, p95, p99, max] = row.cells;
    table[row.label.replace(/[*`]/g, '')] = {
      'per s': row.rate.replace(/\*/g, ''),
      p50: p50!,
      p95: p95!,
      p99: p99!,
      max: max!,
      n: row.n,
    };
  }
  if (r.search) {
    table[`search, all (${r.config.searchConcurrency} concurrent)`] = {
      'per s': f0(r.search.perSecond),
      ...Object.fromEntries(
        ['p50', 'p95', 'p99', 'max'].map((k, i) => [k, latencyCells(r.search!.overall)[i]!]),
      ),
      n: f0(r.search.overall.count),
    };
    for (const c of r.search.classes) {
      const cells = latencyCells(c.latency);
      table[`  search: ${c.name}`] = {
        'per s': '',
        p50: cells[0]!,
        p95: cells[1]!,
        p99: cells[2]!,
        max: cells[3]!,
        n: f0(c.latency.count),
      };
    }
  }
  console.table(table);
  if (r.orders?.cpu) {
    const c = r.orders.cpu;
    const n = r.orders.result.completed;
    console.log(
      `CPU per paid order: core ${(c.serverMs / n).toFixed(2)} ms, PostgreSQL ${(c.postgresMs / n).toFixed(2)} ms, bench client ${(c.clientMs / n).toFixed(2)} ms, other ${(c.otherMs / n).toFixed(2)} ms; machine busy ${pct(c.machineBusy)}, core event loop busy ${pct(r.orders.serverElu ?? Number.NaN)}`,
    );
  }
  if (r.verification)
    console.log(
      `verification: ${r.verification.sampleOk}/${r.verification.sampled} sampled orders pending_acceptance; checkLedger ${r.verification.ledger.ok ? 'ok' : 'FAILED'}`,
    );
}
