/**
 * (4) Event commit → renderer. The core commits `case.upserted` at a fixed rate (bench/ops/core.ts `emit`:
 * `updatedAt` is stamped just before each one-insert transaction — the zero point). The engine signed in
 * as the moderator receives them on `/ops`, applies them to its cache in batches and emits `cases.changed`
 * to its subscribers (the renderer's side of the bridge). Per event, not per batch: each `sync.status`
 * the engine publishes just before a batch's `cases.changed` carries the batch's last seq, so every
 * committed event (seq, case, `updatedAt`, read back from `events` afterwards) is matched to the first
 * `cases.changed` at or after its seq, checked to name its case, and timed from its `updatedAt`.
 *
 * Baselines from the same run: a bare socket.io client on `/ops` in this process during the engine's
 * window (the stream itself, same moment), and alone in a second window after the engine has signed off.
 */
import type { SyncStatus } from '@jiangxin/shared/bridge';
import type { EventEnvelope } from '@jiangxin/shared/events';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import type { Db } from '../../core/src/platform/db/database';
import type { ConsoleEngine } from '../../electron/engine/index';
import { type LatencySummary, Samples } from '../core/load';
import type { CoreHandle } from './core-process';
import { CpuWindow, type WindowCpu } from './cpu';

export interface StreamWindow {
  committed: number;
  achievedPerSecond: number;
  latency: LatencySummary;
  /** Events matched to a delivery (engine: a `cases.changed` naming the case; socket: an `event`). */
  delivered: number;
  problems: string[];
  cpu: WindowCpu;
  coreCpuMs: number;
}

export interface StreamResult {
  rate: number;
  seconds: number;
  engine: StreamWindow & {
    batches: number;
    eventsPerBatch: { mean: number; p50: number; p99: number; max: number };
  };
  /** The bare socket in the engine's window (same process, same events). */
  socketSameWindow: StreamWindow;
  /** The bare socket alone, in its own window after the engine signed off. */
  socketAlone: StreamWindow;
}

export interface StreamContext {
  core: CoreHandle;
  db: Db;
  dbUrl: string;
  dbName: string;
  accessToken: string;
  rate: number;
  seconds: number;
  say(line: string): void;
}

interface BareSocket {
  got: { seq: number; latency: number }[];
  close(): void;
}

async function bareSocket(url: string, token: string): Promise<BareSocket> {
  const socket = io(`${url}/ops`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const got: BareSocket['got'] = [];
  socket.on('event', (e: EventEnvelope) => {
    if (e.type === 'case.upserted')
      got.push({
        seq: e.seq,
        latency: Date.now() - Date.parse((e.payload as { updatedAt: string }).updatedAt),
      });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return { got, close: () => socket.close() };
}

function socketWindow(
  s: BareSocket,
  emitted: { committed: number; seconds: number; cpuMs: number },
  cpu: WindowCpu,
): StreamWindow {
  const samples = new Samples();
  const problems: string[] = [];
  for (const [i, g] of s.got.entries()) {
    samples.add(g.latency);
    if (i > 0 && g.seq <= s.got[i - 1]!.seq) problems.push(`socket: seq ${g.seq} after ${s.got[i - 1]!.seq}`);
  }
  if (s.got.length !== emitted.committed)
    problems.push(`socket got ${s.got.length} case.upserted of ${emitted.committed}`);
  return {
    committed: emitted.committed,
    achievedPerSecond: emitted.committed / emitted.seconds,
    latency: samples.summary(),
    delivered: s.got.length,
    problems,
    cpu,
    coreCpuMs: emitted.cpuMs,
  };
}

const maxSeq = async (db: Db) =>
  Number(
    (await sql<{ top: number | null }>`SELECT max(seq) AS top FROM events`.execute(db.write)).rows[0]?.top ??
      0,
  );

async function waitFor(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Runs (4) with `engine` signed in and online; closes the engine before the socket-alone window. */
export async function runStream(ctx: StreamContext, engine: ConsoleEngine): Promise<StreamResult> {
  // ── the engine's window ──
  const before = await maxSeq(ctx.db);
  let lastSeq = 0;
  const deliveries: { at: number; upTo: number; ids: Set<number> }[] = [];
  const unsubscribe = engine.subscribe((event, payload) => {
    if (event === 'sync.status') lastSeq = (payload as SyncStatus).lastSeq;
    else if (event === 'cases.changed') {
      const at = Date.now();
      deliveries.push({ at, upTo: lastSeq, ids: new Set((payload as { upserted: number[] }).upserted) });
    }
  });
  const same = await bareSocket(ctx.core.url, ctx.accessToken);
  ctx.say(`(4) engine + bare socket: ${ctx.rate} events/s for ${ctx.seconds} s …`);
  let cpu = await CpuWindow.open(ctx.dbUrl, ctx.dbName, ctx.core.child.pid);
  const emitted = await ctx.core.emit(ctx.rate, ctx.seconds);
  await waitFor(() => same.got.length >= emitted.committed, 15_000);
  const last = same.got.at(-1)?.seq ?? before;
  await waitFor(() => lastSeq >= last, 15_000);
  const engineCpu = await cpu.close();
  unsubscribe();
  same.close();

  const rows = (
    await sql<{ seq: number; case_id: number; updated_at: string }>`
      SELECT seq, aggregate_id AS case_id, payload->>'updatedAt' AS updated_at FROM events
      WHERE seq > ${before} AND type = 'case.upserted' ORDER BY seq`.execute(ctx.db.write)
  ).rows;
  const samples = new Samples();
  const problems: string[] = [];
  let j = 0;
  let delivered = 0;
  for (const r of rows) {
    while (j < deliveries.length && deliveries[j]!.upTo < r.seq) j++;
    const d = deliveries[j];
    if (!d) {
      problems.push(`seq ${r.seq} (case ${r.case_id}): no cases.changed`);
      continue;
    }
    if (!d.ids.has(r.case_id)) {
      problems.push(`seq ${r.seq}: its cases.changed does not name case ${r.case_id}`);
      continue;
    }
    delivered += 1;
    samples.add(d.at - Date.parse(r.updated_at));
  }
  if (rows.length !== emitted.committed)
    problems.push(`${rows.length} events in the table, ${emitted.committed} committed`);
  const perBatch = new Samples();
  let prev = before;
  for (const d of deliveries) {
    perBatch.add(d.upTo - prev);
    prev = d.upTo;
  }
  const b = perBatch.summary();
  const engineWindow = {
    committed: emitted.committed,
    achievedPerSecond: emitted.committed / emitted.seconds,
    latency: samples.summary(),
    delivered,
    problems,
    cpu: engineCpu,
    coreCpuMs: emitted.cpuMs,
    batches: deliveries.length,
    eventsPerBatch: { mean: b.mean, p50: b.p50, p99: b.p99, max: b.max },
  };
  const socketSameWindow = socketWindow(same, emitted, engineCpu);

  // ── the bare socket alone ──
  await engine.close();
  await new Promise((r) => setTimeout(r, 1000));
  const alone = await bareSocket(ctx.core.url, ctx.accessToken);
  ctx.say(`(4) bare socket alone: ${ctx.rate} events/s for ${ctx.seconds} s …`);
  cpu = await CpuWindow.open(ctx.dbUrl, ctx.dbName, ctx.core.child.pid);
  const emitted2 = await ctx.core.emit(ctx.rate, ctx.seconds);
  await waitFor(() => alone.got.length >= emitted2.committed, 15_000);
  const aloneCpu = await cpu.close();
  alone.close();

  return {
    rate: ctx.rate,
    seconds: ctx.seconds,
    engine: engineWindow,
    socketSameWindow,
    socketAlone: socketWindow(alone, emitted2, aloneCpu),
  };
}
