/**
 * `npm run bench:ops`: the staff operations API under load, on PostgreSQL.
 *
 *  1. Creates a scratch database `jx_bench_ops_<random>` on BENCH_DATABASE_URL (default
 *     postgres://postgres@127.0.0.1:5432/postgres), migrates it and bulk-loads BENCH_CASES (3000) open
 *     cases of every kind; dropped at the end, also on failure.
 *  2. Forks the real core (bench/ops/core.ts: `buildApp`, 127.0.0.1 port 0, silent), the queue's ceiling
 *     (bench/ops/bare-queue.ts: the same SQL through `pg` and `JSON.stringify` in a bare Fastify route)
 *     and a raw Fastify hello-world (bench/ops/hello.ts), each in its own process.
 *  3. (a) `GET /api/v1/ops/cases?limit=50` (an admin's queue, default sort) in a closed loop at
 *     BENCH_CONCURRENCY (50), then the bare route and the hello-world the same way: req/s and latencies,
 *     and the core's share of the bare route (issue 15: ≥ 50 %, p99 < 50 ms).
 *     (b) Fan-out: BENCH_CONSOLES (50) `/ops` consoles on WebSocket; the core (bench/ops/core.ts) commits
 *     `case.upserted` events at BENCH_EVENT_RATE (500) per second for BENCH_FANOUT_SECONDS (10), each in
 *     its own transaction as its commands do; latency = arrival at a console − the payload's `updatedAt`
 *     (stamped just before the transaction), p50/p99 over every console (goal p99 < 100 ms). Verifies that
 *     each console got every event exactly once and in seq order.
 *  4. Prints a Markdown section and appends it to bench/RESULTS.md (BENCH_RESULTS=none: print only).
 */

import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiangxinClient } from '@jiangxin/client';
import type { EventEnvelope } from '@jiangxin/shared/events';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { openDb } from '../../core/src/platform/db/database';
import { migrateToLatest } from '../../core/src/platform/db/migrate';
import { AccessTokens } from '../../core/src/platform/http/auth';
import { startSandbox } from '../../core/src/sandbox/index';
import { call } from '../core/api';
import { closedLoop, HttpClient, type LoadResult, Samples } from '../core/load';
import { describeMachine, loadAverage } from '../core/machine';
import type { BareQueueStart } from './bare-queue';
import type { CoreCommand, CoreReply } from './core';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (k: string, d: string) => process.env[k] || d;
const adminUrl = env('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const CASES = Number(env('BENCH_CASES', '3000'));
const CONCURRENCY = Number(env('BENCH_CONCURRENCY', '50'));
const SECONDS = Number(env('BENCH_SECONDS', '10'));
const CONSOLES = Number(env('BENCH_CONSOLES', '50'));
const RATE = Number(env('BENCH_EVENT_RATE', '500'));
const FANOUT_SECONDS = Number(env('BENCH_FANOUT_SECONDS', '10'));
const RESULTS = env('BENCH_RESULTS', path.join(here, '../RESULTS.md'));

const dbName = `jx_bench_ops_${randomBytes(4).toString('hex')}`;
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

function forkCore(start: CoreCommand): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(here, 'core.ts'), [], { execArgv: process.execArgv, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the core exited (${code})`)));
    child.once('message', (m: CoreReply) => {
      if (m.type === 'ready') resolve({ child, url: m.url });
      else reject(new Error(`core: ${JSON.stringify(m)}`));
    });
    child.send(start);
  });
}

function forkHello(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(here, 'hello.ts'), [], { execArgv: process.execArgv, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hello-world exited (${code})`)));
    child.on('message', (m: { type: string; url: string }) => {
      if (m.type === 'ready') resolve({ child, url: m.url });
    });
  });
}

function forkBareQueue(start: BareQueueStart): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(here, 'bare-queue.ts'), [], { execArgv: process.execArgv, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bare queue route exited (${code})`)));
    child.on('message', (m: { type: string; url: string }) => {
      if (m.type === 'ready') resolve({ child, url: m.url });
    });
    child.send(start);
  });
}

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

async function main() {
  const pgVersion = (await admin('SHOW server_version')).rows[0].server_version as string;
  const machine = describeMachine(`PostgreSQL ${pgVersion}`, {});
  console.log(`bench:ops on ${machine.cpus}× ${machine.cpuModel}, load ${loadAverage()}`);
  await admin(`CREATE DATABASE ${dbName}`);
  const cleanups: (() => Promise<void>)[] = [];
  const onSignal = () => {
    void (async () => {
      for (const c of cleanups.reverse()) await c().catch(() => {});
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  try {
    // 1. Data.
    const db = await openDb({ url: dbUrl, poolSize: 4 });
    await migrateToLatest(db);
    await sql`
      INSERT INTO cases (kind, status, stage, priority, sla_due_at, subject_type, subject_id, title, summary, amount_fen)
      SELECT (ARRAY['listing_review','report','dispute','payout','support_chat','reconciliation_mismatch'])[1 + g % 6],
             'open', 'submitted', g % 4, now() + (g % 500) * interval '1 minute',
             'bench', g, '压测工单 #' || g, '{}', (g * 37) % 100000
      FROM generate_series(1, ${CASES}) g`.execute(db.write);
    await sql`ANALYZE`.execute(db.write);

    // 2. Processes.
    const jwtSecret = randomBytes(32).toString('hex');
    const sandbox = await startSandbox({ port: 0, log: pino({ level: 'silent' }) });
    cleanups.push(() => sandbox.close());
    const core = await forkCore({
      cmd: 'start',
      databaseUrl: dbUrl,
      jwtSecret,
      sandbox: sandbox.credentials,
    });
    cleanups.push(async () => {
      core.child.send({ cmd: 'close' } satisfies CoreCommand);
      await new Promise((r) => core.child.once('exit', r));
    });
    const hello = await forkHello();
    cleanups.push(async () => {
      hello.child.send({ cmd: 'close' });
      await new Promise((r) => hello.child.once('exit', r));
    });

    // A member of staff (admin: sees every kind) signed up through the API.
    const reg = await createJiangxinClient({ baseUrl: core.url }).POST('/api/v1/auth/register', {
      body: {
        username: `benchadmin${randomBytes(3).toString('hex')}`,
        password: 'correct-horse-1',
        nickname: '压测管理员',
        userType: 'client',
      },
    });
    if (!reg.data) throw new Error(`register: ${reg.response.status} ${JSON.stringify(reg.error)}`);
    const userId = reg.data.user.id;
    await db.write
      .updateTable('users')
      .set({ staff_roles: ['admin'] })
      .where('id', '=', userId)
      .execute();
    const token = await new AccessTokens(jwtSecret, 3600).issue({ userId, staffRoles: ['admin'] });
    const bare = await forkBareQueue({
      cmd: 'start',
      databaseUrl: dbUrl,
      userId,
      query: { limit: '50' },
      poolSize: 20, // the core's default pool
    });
    cleanups.push(async () => {
      bare.child.send({ cmd: 'close' });
      await new Promise((r) => bare.child.once('exit', r));
    });
    const auth = { authorization: `Bearer ${token}` };

    // 3a. The queue vs hello-world.
    const coreHttp = new HttpClient(core.url, CONCURRENCY);
    const helloHttp = new HttpClient(hello.url, CONCURRENCY);
    const bareHttp = new HttpClient(bare.url, CONCURRENCY);
    const loop = (name: string, get: () => Promise<{ status: number; text: string }>) =>
      closedLoop({
        concurrency: CONCURRENCY,
        warmupMs: 2000,
        durationMs: SECONDS * 1000,
        op: async () => {
          const r = await get();
          if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
          return undefined;
        },
      });
    // The queue call, typed by the API document but sent over the light node:http client (bench/core/api.ts).
    const queueCall = () =>
      call(coreHttp, 'get', '/api/v1/ops/cases', { query: { limit: '50' }, headers: auth });
    const first = await queueCall();
    if (first.status !== 200 || first.json().items.length !== 50)
      throw new Error(`queue: ${first.status} ${first.text}`);
    console.log('(a) GET /api/v1/ops/cases …');
    const queue = await loop('GET /api/v1/ops/cases', queueCall);
    console.log('(a) ceiling: the same SQL in a bare route …');
    const bareFirst = await bareHttp.request('GET', '/queue');
    if (bareFirst.status !== 200 || (JSON.parse(bareFirst.body) as { items: unknown[] }).items.length !== 50)
      throw new Error(`bare queue: ${bareFirst.status} ${bareFirst.body.slice(0, 200)}`);
    const ceiling = await loop('bare queue route', async () => {
      const r = await bareHttp.request('GET', '/queue');
      return { status: r.status, text: r.body };
    });
    console.log('(a) hello-world …');
    const baseline = await loop('hello-world', async () => {
      const r = await helloHttp.request('GET', '/');
      return { status: r.status, text: r.body };
    });
    coreHttp.close();
    helloHttp.close();
    bareHttp.close();

    // 3b. Fan-out.
    console.log(`(b) ${CONSOLES} consoles, ${RATE} events/s for ${FANOUT_SECONDS} s …`);
    const fanout = await fanOut(core, token);

    const section = report({ machine, queue, ceiling, baseline, fanout });
    console.log(`\n${section}`);
    if (RESULTS !== 'none') fs.appendFileSync(RESULTS, `\n${section}`);
    await db.close();
    if (fanout.problems.length) throw new Error(`fan-out verification failed: ${fanout.problems.join('; ')}`);
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err) => console.error(err));
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

interface FanOut {
  committed: number;
  perSecond: number;
  latency: ReturnType<Samples['summary']>;
  delivered: number;
  problems: string[];
  /** CPU of the core process over the emitting window (commits, sequencing, fan-out to the sockets). */
  coreCpuMs: number;
  seconds: number;
}

async function fanOut(core: { child: ChildProcess; url: string }, token: string): Promise<FanOut> {
  const consoles: { socket: Socket; seqs: number[] }[] = [];
  const latency = new Samples();
  const measuredSeqs = new Set<number>();
  for (let i = 0; i < CONSOLES; i++) {
    const socket = io(`${core.url}/ops`, { auth: { token }, transports: ['websocket'], reconnection: false });
    const c = { socket, seqs: [] as number[] };
    socket.on('event', (e: EventEnvelope) => {
      c.seqs.push(e.seq);
      if (e.type === 'case.upserted') {
        // updatedAt is stamped by the committing code just before its one-insert transaction commits.
        latency.add(Date.now() - Date.parse((e.payload as { updatedAt: string }).updatedAt));
        measuredSeqs.add(e.seq);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('ready', () => resolve());
      socket.once('connect_error', reject);
    });
    consoles.push(c);
  }
  const done = await new Promise<Extract<CoreReply, { type: 'emitted' }>>((resolve, reject) => {
    const onMessage = (m: CoreReply) => {
      core.child.off('message', onMessage);
      if (m.type === 'emitted') resolve(m);
      else reject(new Error(`core: ${JSON.stringify(m)}`));
    };
    core.child.on('message', onMessage);
    core.child.send({ cmd: 'emit', rate: RATE, seconds: FANOUT_SECONDS } satisfies CoreCommand);
  });
  // Let the last events arrive.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && consoles.some((c) => c.seqs.length < done.committed))
    await new Promise((r) => setTimeout(r, 50));

  const problems: string[] = [];
  for (const [i, c] of consoles.entries()) {
    const upserts = c.seqs.filter((s) => measuredSeqs.has(s)).length;
    if (upserts !== done.committed)
      problems.push(`console ${i} got ${upserts} case.upserted of ${done.committed}`);
    for (let k = 1; k < c.seqs.length; k++)
      if (c.seqs[k]! <= c.seqs[k - 1]!) {
        problems.push(`console ${i}: seq ${c.seqs[k]} after ${c.seqs[k - 1]}`);
        break;
      }
    c.socket.close();
  }
  return {
    committed: done.committed,
    perSecond: done.committed / done.seconds,
    latency: latency.summary(),
    delivered: latency.count,
    problems,
    coreCpuMs: done.cpuMs,
    seconds: done.seconds,
  };
}

function report(r: {
  machine: ReturnType<typeof describeMachine>;
  queue: LoadResult;
  ceiling: LoadResult;
  baseline: LoadResult;
  fanout: FanOut;
}): string {
  const q = r.queue.latency['total']!;
  const c = r.ceiling.latency['total']!;
  const b = r.baseline.latency['total']!;
  const share = (r.queue.perSecond / r.ceiling.perSecond) * 100;
  const ratio = (r.queue.perSecond / r.baseline.perSecond) * 100;
  const f = r.fanout;
  return [
    `## bench:ops — ${r.machine.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${r.machine.cpus}× ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, ${r.machine.kernel}, Node ${r.machine.node}, ${r.machine.postgres}; load average before ${r.machine.loadBefore.join(' / ')}, after ${loadAverage()}. The load generator and the 50 consoles run on the same CPUs as the core and PostgreSQL.`,
    '',
    `**(a) Queue** — \`GET /api/v1/ops/cases?limit=50\` (admin, default SLA sort, ${CASES} open cases), concurrency ${CONCURRENCY}, ${SECONDS} s after 2 s warm-up, beside its ceiling — the same SQL (the guard's staff check and the page query, taken from the core's \`listCases\`) through \`pg\` and \`JSON.stringify\` in a bare Fastify route, pool 20 — and a raw Fastify hello-world, each in its own process, in the same run:`,
    '',
    '| | req/s | p50 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|',
    `| \`GET /ops/cases\` | ${fmt(r.queue.perSecond, 0)} | ${fmt(q.p50)} | ${fmt(q.p99)} | ${r.queue.errors} |`,
    `| **ceiling: the same SQL in a bare route** | ${fmt(r.ceiling.perSecond, 0)} | ${fmt(c.p50)} | ${fmt(c.p99)} | ${r.ceiling.errors} |`,
    `| Fastify hello-world | ${fmt(r.baseline.perSecond, 0)} | ${fmt(b.p50)} | ${fmt(b.p99)} | ${r.baseline.errors} |`,
    `| core ÷ ceiling | **${fmt(share)} %** (issue 15: ≥ 50 %, p99 < 50 ms: ${share >= 50 && q.p99 < 50 ? 'met' : 'not met'}) | | | |`,
    `| core ÷ hello-world | ${fmt(ratio)} % | | | |`,
    '',
    `**(b) Fan-out** — ${CONSOLES} \`/ops\` consoles (WebSocket); the core commits \`case.upserted\` events at ${RATE}/s for ${FANOUT_SECONDS} s (one \`db.transact\` + \`appendEvent\` each, as its commands do): ${f.committed} commits (${fmt(f.perSecond, 0)}/s achieved), ${f.delivered} deliveries measured; core CPU ${fmt((f.coreCpuMs / 1000 / f.seconds) * 100, 0)} % of one CPU over the window.`,
    '',
    '| commit → console | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    `| \`case.upserted\` (arrival − \`updatedAt\`, stamped just before the one-insert transaction) | ${fmt(f.latency.p50)} | ${fmt(f.latency.p95)} | ${fmt(f.latency.p99)} | ${fmt(f.latency.max)} |`,
    '',
    `Verification: ${f.problems.length ? `FAILED — ${f.problems.slice(0, 3).join('; ')}` : `every console received every \`case.upserted\` exactly once, seqs strictly increasing. Goal p99 < 100 ms: ${f.latency.p99 < 100 ? 'met' : 'not met'}.`}`,
    '',
  ].join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
