/**
 * What bench:ui measures against: the embedded core (PGlite, demo seed, as `npm start` runs it) whose data
 * folder is filled with 100,000 open `listing_review` cases and 1,000 open `report` cases, then the console
 * engine + web host (`startConsoleStack`) in front of it.
 *
 * PGlite is one process's database, so the cases are loaded between two starts of the core: the first
 * start migrates and writes the demo seed, the core is stopped, the bench opens the same folder and bulk
 * loads the cases with bench:engine's loader (`loadCases`: a `cases` row and its `case.upserted` event
 * per case, seq assigned), and the core is started again on it. Background jobs are off (the SLA sweeper
 * would otherwise start escalating 100k overdue cases during the measurement) and so is the simulator.
 */
import net from 'node:net';
import path from 'node:path';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import { sql } from 'kysely';
import { type Db, openDb } from '../../core/src/platform/db/database';
import { type CoreProcess, startCoreProcess } from '../../electron/web-host/core-process';
import { loadCases } from '../engine/pg-data';

export const DEMO_PASSWORD = 'jiangxin-demo';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface CoreOptions {
  dataDir: string;
  /** postgres://… of a scratch database, or undefined for PGlite in `dataDir`. */
  databaseUrl?: string;
  port: number;
  sandboxPort: number;
  onLine: (line: string) => void;
}

/** The core child on PGlite in `dataDir`, demo seed on first start, no simulator, no background jobs. */
export function startCore(o: CoreOptions): Promise<CoreProcess> {
  return startCoreProcess({
    port: o.port,
    sandboxPort: o.sandboxPort,
    dataDir: o.dataDir,
    healthTimeoutMs: 300_000,
    env: {
      SIMULATE: '0',
      DEMO_PASSWORD,
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'false',
      SWEEP_INTERVAL_SECONDS: '0',
      // PGlite in the fresh folder unless a scratch PostgreSQL database is named, whatever servers this
      // shell points at (the core reads an empty variable as unset).
      DATABASE_URL: o.databaseUrl ?? '',
      DATABASE_READ_URL: '',
      REDIS_URL: '',
    },
    onLine: o.onLine,
  });
}

/** Open cases per kind in the queue's default view (statuses open + waiting). */
export async function openCases(db: Db, kind: CaseKind): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM cases WHERE kind = ${kind} AND status IN ('open', 'waiting')`.execute(
    db.write,
  );
  return Number(r.rows[0]?.n ?? 0);
}

export interface LoadedQueues {
  /** Cases per kind in the queue after loading (demo cases included). */
  totals: Partial<Record<CaseKind, number>>;
  /** Of which the demo seed wrote. */
  demo: Partial<Record<CaseKind, number>>;
  loadMs: number;
}

/**
 * Tops each kind's open queue up to `targets[kind]` cases in the core's PGlite folder (the core must be
 * stopped). Returns the resulting totals, which the page's `case-total` must then show.
 */
export async function fillQueues(
  where: { dataDir: string; databaseUrl?: string },
  targets: Partial<Record<CaseKind, number>>,
  say: (line: string) => void,
): Promise<LoadedQueues> {
  const db = await openDb({ url: where.databaseUrl, dataDir: where.dataDir, poolSize: 4 });
  try {
    const t0 = performance.now();
    const totals: LoadedQueues['totals'] = {};
    const demo: LoadedQueues['demo'] = {};
    let firstId = 0;
    for (const [kind, target] of Object.entries(targets) as [CaseKind, number][]) {
      // Content (and subject) ids far past the demo seed's, so no case meets a demo case's live subject.
      firstId += 1_000_000;
      const before = await openCases(db, kind);
      demo[kind] = before;
      const missing = Math.max(0, target - before);
      await loadCases(
        db,
        missing,
        (done) => {
          if (done % 20_000 === 0)
            say(`    ${kind}: ${done.toLocaleString('en')} / ${missing.toLocaleString('en')}`);
        },
        { kinds: [kind], firstId },
      );
      totals[kind] = await openCases(db, kind);
    }
    return { totals, demo, loadMs: performance.now() - t0 };
  } finally {
    await db.close();
  }
}

export const corePaths = (tmp: string) => ({
  dataDir: path.join(tmp, 'core'),
  console: path.join(tmp, 'console'),
});
