import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../faults/core-process';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually, placePaidOrder, reportAndClaim } from '../../test/flows';
import { backend, startTestApp, type TestApp } from '../../test/harness';

/**
 * The core behind PgBouncer in transaction mode (Debian's pgbouncer, started by the test on a free port,
 * at most 3 server connections for the core's pool of 10), as deploy/README.md "PgBouncer" sets it up:
 * named statements off (PgBouncer 1.18 does not carry them between server connections), the statement
 * timeout not sent at connect. A paid order (create → sandbox payment → notification → escrow), the ops
 * queue (list, claim) and pg-boss's periodic jobs all work through it, and the server saw no more
 * connections for this database than the pool PgBouncer was given.
 */
const bin = process.env['PGBOUNCER'] ?? '/usr/sbin/pgbouncer';
const adminUrl = process.env['TEST_DATABASE_URL'];
const skip =
  backend !== 'postgres'
    ? 'runs in the postgres project only'
    : !fs.existsSync(bin)
      ? `pgbouncer is not installed at ${bin} (Debian package pgbouncer; .ci/run installs it)`
      : null;
const SERVER_POOL = 3;

describe.skipIf(skip !== null)(
  `the core behind PgBouncer (transaction mode)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let dir: string;
    let port: number;
    let bouncer: ChildProcess;
    let t: TestApp;
    let log = '';

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-pgbouncer-'));
      port = await freePort();
      const server = new URL(adminUrl!);
      fs.writeFileSync(
        path.join(dir, 'pgbouncer.ini'),
        [
          '[databases]',
          `* = host=${server.hostname} port=${server.port || 5432} user=${server.username || 'postgres'}`,
          '[pgbouncer]',
          'listen_addr = 127.0.0.1',
          `listen_port = ${port}`,
          'unix_socket_dir =',
          'auth_type = any',
          'pool_mode = transaction',
          `default_pool_size = ${SERVER_POOL}`,
          'max_client_conn = 100',
          'ignore_startup_parameters = extra_float_digits,statement_timeout',
          `admin_users = ${server.username || 'postgres'}`,
          '',
        ].join('\n'),
      );
      // PgBouncer refuses to run as root: as root (CI), it switches to the postgres user.
      fs.chmodSync(dir, 0o755);
      const asRoot = process.getuid?.() === 0;
      bouncer = spawn(bin, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (d: Buffer) => {
        log += String(d);
      };
      bouncer.stdout?.on('data', keep);
      bouncer.stderr?.on('data', keep);
      await eventually(async () => {
        if (bouncer.exitCode !== null) throw new Error(`pgbouncer exited (${bouncer.exitCode}): ${log}`);
        const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/pgbouncer` });
        return c.connect().then(
          () => c.end().then(() => true),
          () => null,
        );
      });
      const via = (url: string) => {
        const u = new URL(url);
        u.port = String(port);
        return u.toString();
      };
      t = await startTestApp({
        payments: true,
        dbVia: via,
        env: { DB_PREPARED_STATEMENTS: 'false', JOBS_ENABLED: 'true', JOB_INTERVAL_SECONDS: '1' },
      });
    }, 60_000);

    afterAll(async () => {
      await t?.close();
      bouncer?.kill('SIGTERM');
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('pays an order, works the ops queue and runs the jobs through it', async () => {
      const api = new ApiClient(t.url);
      const client = await signUp(api, { userType: 'client' });
      const freelancer = await signUp(api, { userType: 'freelancer' });
      const { serviceId } = await insertPublishedService(t, freelancer.userId, {
        prices: [12_000, 24_000, 36_000],
      });
      const { order } = await placePaidOrder(t, client.api, serviceId);
      expect(order.status).toBe('pending_acceptance');
      const escrow = await client.api.get(`/orders/${order.id}`);
      expect(escrow.status).toBe(200);

      const team = await signUpStaffTeam(t);
      await reportAndClaim(client.api, team.moderator.api, serviceId, '通过连接池测试举报');

      // pg-boss through transaction pooling: the periodic jobs run (job_runs is written by their workers).
      await eventually(async () => {
        const r = await t.db.write.selectFrom('job_runs').select(['job']).where('ok', '=', true).execute();
        return new Set(r.map((x) => x.job)).size >= 3 ? true : null;
      }, 20_000);

      // Everything went through PgBouncer: its pool for this database served transactions, and the server
      // never had more connections to it than that pool (the core's own pool is 10).
      const stats = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/pgbouncer` });
      await stats.connect();
      const dbName = new URL(t.dbUrl!).pathname.slice(1);
      const rows = (await stats.query('SHOW STATS')).rows as { database: string; total_xact_count: string }[];
      await stats.end();
      expect(Number(rows.find((r) => r.database === dbName)?.total_xact_count ?? 0)).toBeGreaterThan(20);
      const direct = new pg.Client({ connectionString: t.dbUrl! });
      await direct.connect();
      const backends = await direct.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [dbName],
      );
      await direct.end();
      expect(backends.rows[0]!.n).toBeLessThanOrEqual(SERVER_POOL);
    }, 60_000);
  },
);
