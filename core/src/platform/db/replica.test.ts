import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually, placePaidOrder, reportAndClaim } from '../../test/flows';
import { backend, startTestApp, type TestApp } from '../../test/harness';
import {
  pgCommand,
  serverDir,
  ThrowawayCluster,
  throwawayClusterUnavailable,
} from '../../test/throwaway-cluster';
import { openDb } from './database';
import { migrateToLatest } from './migrate';
import { ReplicaPool } from './replica';

/**
 * The core on a real streaming hot standby (DATABASE_READ_URL): a throwaway primary (`initdb`, its own
 * port) and a standby made from it with `pg_basebackup -R`, both removed afterwards; the shared test
 * server is not touched. With replay paused on the standby (`pg_wal_replay_pause()`), the public search
 * lags behind — so it is the standby that answers it — while whatever must see the caller's own write
 * (sign-in right after sign-up, the order just paid, the wallet, the case just claimed) still does. With
 * the standby stopped, reads run on the primary: answered 200, counted in /metrics, logged once.
 */
const skip = backend !== 'postgres' ? 'runs in the postgres project only' : throwawayClusterUnavailable();
const DB = 'jx_replica';

describe.skipIf(skip !== null)(
  `the core on a streaming read replica${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let primary: ThrowawayCluster;
    let standby: ThrowawayCluster;
    let t: TestApp;
    const logLines: { msg: string; replica?: string }[] = [];
    let freelancer: Awaited<ReturnType<typeof signUp>>;
    let listed: number;

    const standbyHas = async (table: 'orders' | 'services' | 'users', id: number) =>
      (
        await standby.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = $1`, [id], DB)
      )[0]!.n === 1;
    const pauseReplay = async () => {
      await standby.query('SELECT pg_wal_replay_pause()');
      await eventually(async () => {
        const r = await standby.query<{ s: string }>('SELECT pg_get_wal_replay_pause_state() AS s');
        return r[0]!.s === 'paused';
      });
    };
    const resumeReplay = () => standby.query('SELECT pg_wal_replay_resume()');
    const searchIds = async (categoryId: number) => {
      const r = await new ApiClient(t.url).get(`/services?categoryId=${categoryId}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.items as { id: number }[]).map((i) => i.id);
    };
    const categoryOf = async (serviceId: number) =>
      (
        await t.db.write
          .selectFrom('services')
          .select('category_id')
          .where('id', '=', serviceId)
          .executeTakeFirstOrThrow()
      ).category_id;
    const metrics = async () => {
      const res = await fetch(`${t.url}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const value = (name: string) => {
        const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
        return m ? Number(m[1]) : undefined;
      };
      return {
        lag: value('db_replica_lag_seconds'),
        up: value('db_replica_up'),
        fallbacks: value('db_replica_fallbacks_total'),
      };
    };

    beforeAll(async () => {
      primary = await ThrowawayCluster.create({
        name: 'replica-primary',
        settings: ['wal_level = replica', 'max_wal_senders = 4'],
      });
      await primary.query(`CREATE DATABASE ${DB}`);
      const migrations = await openDb({ url: primary.url(DB), poolSize: 1 });
      try {
        await migrateToLatest(migrations);
      } finally {
        await migrations.close();
      }
      const root = serverDir('jx-replica-standby-');
      const dataDir = path.join(root, 'data');
      await pgCommand('pg_basebackup', [
        '-d',
        primary.url(),
        '-D',
        dataDir,
        '-R',
        '-X',
        'stream',
        '--checkpoint=fast',
        '--no-sync',
      ]);
      standby = await ThrowawayCluster.adopt(dataDir);
      standby.configure(['hot_standby = on']);
      await standby.start();
      await eventually(async () => {
        const r = await primary.query<{ state: string }>('SELECT state FROM pg_stat_replication');
        return r[0]?.state === 'streaming';
      }, 30_000);

      // The core's log, kept to check the fallback's lines.
      const sink = new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
          done();
        },
      });
      t = await startTestApp({
        payments: true,
        existingDbUrl: primary.url(DB),
        existingReadUrl: standby.url(DB),
        log: pino({ level: 'info' }, sink),
        env: { DB_REPLICA_CONNECT_TIMEOUT_MS: '500', DB_REPLICA_RETRY_MS: '300' },
      });

      freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
      ({ serviceId: listed } = await insertPublishedService(t, freelancer.userId, {
        prices: [12_000, 24_000, 36_000],
      }));
      // The standby has caught up with the set-up: the public search shows the listing.
      const category = await categoryOf(listed);
      await eventually(async () => ((await searchIds(category)).includes(listed) ? true : null));
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      await standby?.destroy();
      await primary?.destroy();
    });

    it('serves the public search from the replica: with replay paused a new listing is not found yet', async () => {
      await pauseReplay();
      try {
        const { serviceId } = await insertPublishedService(t, freelancer.userId);
        const category = await categoryOf(serviceId);
        expect(await standbyHas('services', serviceId)).toBe(false);
        // The public search runs on the paused standby: the listing is not there yet…
        expect(await searchIds(category)).toEqual([]);
        // …while the listing's own page reads the primary (the owner sees what they just published).
        const page = await freelancer.api.get(`/services/${serviceId}`);
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        await resumeReplay();
        await eventually(async () => ((await searchIds(category)).includes(serviceId) ? true : null));
      } finally {
        await resumeReplay();
      }
    }, 60_000);

    it('with replay paused, callers still see their own writes: sign-in, the paid order, the wallet, the claimed case', async () => {
      await pauseReplay();
      try {
        // Sign-up, then at once sign-in and the account: the standby has never heard of this user.
        const api = new ApiClient(t.url);
        const client = await signUp(api, { userType: 'client' });
        expect(await standbyHas('users', client.userId)).toBe(false);
        const login = await api.post('/auth/login', {
          login: client.tokens.user.username,
          password: 'correct-horse-1',
        });
        expect(login.status, JSON.stringify(login.body)).toBe(200);
        const me = await client.api.get('/me');
        expect(me.status, JSON.stringify(me.body)).toBe(200);
        expect(me.body.id).toBe(client.userId);

        // The order just paid (sandbox payment → gateway notification → escrow), its list and the money.
        const { order } = await placePaidOrder(t, client.api, listed);
        expect(await standbyHas('orders', order.id)).toBe(false);
        const detail = await client.api.get(`/orders/${order.id}`);
        expect(detail.status).toBe(200);
        expect(detail.body.status).toBe('pending_acceptance');
        const mine = await client.api.get('/orders');
        expect(mine.status).toBe(200);
        expect(mine.body.items.map((o: { id: number; status: string }) => [o.id, o.status])).toContainEqual([
          order.id,
          'pending_acceptance',
        ]);
        const wallet = await client.api.get('/wallet');
        expect(wallet.status).toBe(200);
        expect(wallet.body.frozenFen).toBe(12_000);

        // A case a member of staff just claimed: the queue and the case show it as theirs.
        const team = await signUpStaffTeam(t);
        const caseId = await reportAndClaim(client.api, team.moderator.api, listed, '只读副本测试举报');
        const opened = await team.moderator.api.get(`/ops/cases/${caseId}`);
        expect(opened.status, JSON.stringify(opened.body)).toBe(200);
        expect(opened.body.case.assigneeId).toBe(team.moderator.userId);
        const listedAgain = await team.moderator.api.get('/ops/cases?kind=report');
        const row = listedAgain.body.items.find((c: { id: number }) => c.id === caseId);
        expect(row.assigneeId).toBe(team.moderator.userId);

        // While writes happen and replay is paused, /metrics shows the standby's lag.
        const m = await metrics();
        expect(m.up).toBe(1);
        expect(m.lag).toBeGreaterThan(0);
      } finally {
        await resumeReplay();
      }
      await eventually(async () => ((await metrics()).lag === 0 ? true : null), 20_000);
    }, 90_000);

    it('with the replica stopped, reads run on the primary: answered, counted in /metrics, logged once', async () => {
      const before = await metrics();
      expect(before.fallbacks).toBe(0);
      const category = await categoryOf(listed);
      // A read running on the standby when it shuts down runs again on the primary.
      const slow = sql<{ standby: boolean }>`
        SELECT pg_is_in_recovery() AS standby FROM pg_sleep(2)`.execute(t.db.read);
      await eventually(async () => {
        const r = await standby.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%FROM pg_sleep(2)'`);
        return r.length > 0 ? true : null;
      });
      await standby.stop('fast');
      try {
        expect((await slow).rows).toEqual([{ standby: false }]);
        // A storm of public reads: every one answered by the primary.
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => new ApiClient(t.url).get(`/services?categoryId=${category}`)),
        );
        for (const r of answers) {
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body.items.map((i: { id: number }) => i.id)).toContain(listed);
        }
        expect((await new ApiClient(t.url).get('/categories')).status).toBe(200);

        // The scrape answers at once: the replica down, its lag unknown, the fallbacks counted.
        const started = Date.now();
        const m = await metrics();
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(m.up).toBe(0);
        expect(m.lag).toBeNaN();
        expect(m.fallbacks).toBeGreaterThanOrEqual(20);
        // One line for the whole storm, not one per read.
        const down = logLines.filter((l) => l.replica === 'down');
        expect(down).toHaveLength(1);
        expect(down[0]!.msg).toMatch(/read replica unreachable/);
      } finally {
        await standby.start();
      }
      // Back: after the retry interval a read tries the replica again, which answers; one line says so.
      await eventually(async () => {
        await searchIds(category);
        return (await metrics()).up === 1 ? true : null;
      }, 30_000);
      expect(logLines.filter((l) => l.replica === 'up')).toHaveLength(1);
      const after = await metrics();
      const fallbacks = after.fallbacks!;
      await searchIds(category);
      expect((await metrics()).fallbacks).toBe(fallbacks);
    }, 90_000);
  },
);

/** The breaker itself, on stand-in pools (both projects): when reads leave the replica and come back. */
describe('ReplicaPool', () => {
  type Fake = { name: string; connects: number; fail: Error | null; queryFail: Error | null };
  const fake = (name: string): Fake => ({ name, connects: 0, fail: null, queryFail: null });
  const poolOf = (f: Fake) =>
    ({
      async connect() {
        f.connects += 1;
        if (f.fail) throw f.fail;
        return {
          query: async () => {
            if (f.queryFail) throw f.queryFail;
            return { rows: [{ from: f.name }] };
          },
          release: () => {},
        };
      },
      async query() {
        if (f.fail) throw f.fail;
        return { rows: [{ lag: 2.5 }] };
      },
      end: async () => {},
    }) as unknown as ConstructorParameters<typeof ReplicaPool>[0];
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const read = async (pool: ReplicaPool) => {
    const c = await pool.connect();
    try {
      return ((await c.query('SELECT 1', [])) as { rows: { from: string }[] }).rows[0]!.from;
    } finally {
      c.release();
    }
  };

  it('falls back while the replica refuses, tries it again after the interval, and tells each change once', async () => {
    let now = 1_000;
    const replica = fake('replica');
    const primary = fake('primary');
    const changes: string[] = [];
    const pool = new ReplicaPool(poolOf(replica), poolOf(primary), {
      retryMs: 500,
      now: () => now,
      onChange: (c) => changes.push(c.state),
    });
    expect(await read(pool)).toBe('replica');
    replica.fail = refused();
    expect(await read(pool)).toBe('primary');
    expect(pool.available).toBe(false);
    // Within the interval the replica is not even tried.
    const tried = replica.connects;
    for (let i = 0; i < 5; i++) expect(await read(pool)).toBe('primary');
    expect(replica.connects).toBe(tried);
    expect(await pool.lagSeconds()).toBeNull();
    // After it, one read tries again; still refused, the next interval starts.
    now += 600;
    expect(await read(pool)).toBe('primary');
    expect(replica.connects).toBe(tried + 1);
    replica.fail = null;
    expect(await read(pool)).toBe('primary');
    now += 600;
    expect(await read(pool)).toBe('replica');
    expect(pool.available).toBe(true);
    expect(pool.fallbacks).toBe(8);
    expect(changes).toEqual(['down', 'up']);
    expect(await pool.lagSeconds()).toBe(2.5);
  });

  it('runs a read whose replica connection was lost again on the primary, but not a read the replica refused', async () => {
    const replica = fake('replica');
    const primary = fake('primary');
    const pool = new ReplicaPool(poolOf(replica), poolOf(primary), { retryMs: 500 });
    replica.queryFail = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(await read(pool)).toBe('primary');
    expect(pool.available).toBe(false);
    expect(pool.fallbacks).toBe(1);

    const slow = fake('replica');
    slow.queryFail = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    const timedOut = new ReplicaPool(poolOf(slow), poolOf(fake('primary')), { retryMs: 500 });
    await expect(read(timedOut)).rejects.toThrow(/statement timeout/);
    expect(timedOut.fallbacks).toBe(0);
    expect(timedOut.available).toBe(true);
  });
});
