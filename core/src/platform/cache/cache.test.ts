import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { eventually } from '../../test/flows';
import { startScaledOutPair, type TestApp } from '../../test/harness';
import { startLink } from '../../test/proxy';
import { unsequenced } from '../realtime/ops-test-kit';
import { appCache, cacheInvalidationsFor } from './index';
import { L2Cache } from './l2';

describe('L2Cache in process', () => {
  it('reads through, hands out copies, drops by key and by tag', async () => {
    const cache = new L2Cache();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { id: 7, name: `v${loads}`, sellerId: 3 };
    };
    const first = await cache.get('service:7', load, (v) => [`user:${v.sellerId}`]);
    first!.name = 'mutated by a caller';
    expect(await cache.get('service:7', load)).toEqual({ id: 7, name: 'v1', sellerId: 3 });
    expect(loads).toBe(1);
    await cache.invalidate({ keys: ['service:7'] });
    expect((await cache.get('service:7', load, (v) => [`user:${v.sellerId}`]))?.name).toBe('v2');
    await cache.invalidate({ tags: ['user:3'] });
    expect((await cache.get('service:7', load))?.name).toBe('v3');
    expect(await cache.get('missing', async () => null)).toBeNull();
    await cache.close();
  });

  it('does not store a value loaded while an invalidation arrived', async () => {
    const cache = new L2Cache();
    let release!: () => void;
    const slow = cache.get('user:1', async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      return { nickname: 'old' };
    });
    await new Promise((r) => setTimeout(r, 5));
    await cache.invalidate({ keys: ['user:1'] });
    release();
    expect(await slow).toEqual({ nickname: 'old' });
    expect(await cache.get('user:1', async () => ({ nickname: 'new' }))).toEqual({ nickname: 'new' });
    await cache.close();
  });

  it('maps events to what they make stale', () => {
    expect(
      cacheInvalidationsFor({ type: 'service.status_changed', payload: { serviceId: 5 } as never }),
    ).toEqual({ keys: ['service:5'] });
    expect(cacheInvalidationsFor({ type: 'user.profile_updated', payload: { userId: 9 } })).toEqual({
      keys: ['user:9'],
      tags: ['user:9'],
    });
    expect(cacheInvalidationsFor({ type: 'order.created', payload: { orderId: 1 } as never })).toBeNull();
  });
});

/**
 * Two instances sharing Redis: B caches the public profile and the listing (shown by a direct database
 * change that emits no event not reaching readers), A commits a profile change, and B serves the new
 * values once the event's invalidation went round.
 */
const redisUrl = process.env['TEST_REDIS_URL'];
describe.skipIf(!redisUrl)(
  `L2 cache across instances${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      ({ a, b } = await startScaledOutPair(redisUrl!));
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('a change committed through A invalidates what B cached; B serves the new value', async () => {
      const seller = await signUp(new ApiClient(a.url), { userType: 'freelancer', nickname: '老木匠' });
      const { serviceId } = await insertPublishedService(a, seller.userId);
      const anon = new ApiClient(b.url);
      // The sign-up's and publication's own events invalidate too: let them go round first.
      await eventually(async () => (await unsequenced(a.db)) === 0);
      await new Promise((r) => setTimeout(r, 300));

      expect((await anon.get(`/users/${seller.userId}`)).body.nickname).toBe('老木匠');
      const listing = await anon.get(`/services/${serviceId}`);
      expect(listing.status).toBe(200);
      expect(listing.body.freelancer.nickname).toBe('老木匠');
      expect(listing.body.views).toBe(1);

      // Behind the cache's back (no event): B keeps serving what it cached, views still count exactly.
      await a.db.write
        .updateTable('users')
        .set({ nickname: '绕过缓存' })
        .where('id', '=', seller.userId)
        .execute();
      const hitsBefore = appCache(b.ctx)!.stats.hits;
      expect((await anon.get(`/users/${seller.userId}`)).body.nickname).toBe('老木匠');
      const again = await anon.get(`/services/${serviceId}`);
      expect(again.body.freelancer.nickname).toBe('老木匠');
      expect(again.body.views).toBe(2);
      expect(appCache(b.ctx)!.stats.hits).toBe(hitsBefore + 2);
      // A reads it from the shared Redis layer, not the database.
      const redisHits = appCache(a.ctx)!.stats.redisHits;
      expect((await new ApiClient(a.url).get(`/users/${seller.userId}`)).body.nickname).toBe('老木匠');
      expect(appCache(a.ctx)!.stats.redisHits).toBe(redisHits + 1);

      // The real change, through A: user.profile_updated drops the profile and (by tag) the listing everywhere.
      const patched = await seller.api.patch('/me', { nickname: '新木匠' });
      expect(patched.status).toBe(200);
      await eventually(async () => (await anon.get(`/users/${seller.userId}`)).body.nickname === '新木匠');
      await eventually(
        async () => (await anon.get(`/services/${serviceId}`)).body.freelancer.nickname === '新木匠',
      );
      expect((await new ApiClient(a.url).get(`/users/${seller.userId}`)).body.nickname).toBe('新木匠');
    });
  },
);

describe.skipIf(!redisUrl)(
  `L2 cache through a Redis outage${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    it('fails open without stalls, keeps invalidations for Redis, and forgets what it held when Redis returns', async () => {
      const link = await startLink(redisUrl!);
      const keyPrefix = `jxtest-${Math.random().toString(36).slice(2, 10)}`;
      const cache = new L2Cache({ redisUrl: link.via(redisUrl!), keyPrefix, commandTimeoutMs: 200 });
      const other = new L2Cache({ redisUrl: redisUrl!, keyPrefix });
      try {
        expect(new L2Cache().redisState()).toBe('not_configured');
        await cache.start();
        await other.start();
        await eventually(async () => cache.redisState() === 'up');
        let version = 1;
        const load = async () => ({ name: `v${version}`, sellerId: 3 });
        const tags = (v: { sellerId: number }) => [`user:${v.sellerId}`];
        expect(await cache.get('service:1', load, tags)).toEqual({ name: 'v1', sellerId: 3 });
        await eventually(
          async () => (await other.get<{ name: string }>('service:1', async () => null))?.name === 'v1',
        );

        for (const cut of ['down', 'stall'] as const) {
          await (cut === 'down' ? link.down() : link.stall());
          // A cut connection is seen at once (a stall only by the commands that time out).
          if (cut === 'down') await eventually(async () => cache.redisState() === 'down');
          version += 1;
          // The change commits meanwhile: dropped here at once, although Redis cannot hear of it.
          const started = Date.now();
          await cache.invalidate({ tags: ['user:3'] }).catch(() => {});
          expect(await cache.get('service:1', load, tags), cut).toEqual({ name: `v${version}`, sellerId: 3 });
          expect(await cache.get('service:2', load), cut).toEqual({ name: `v${version}`, sellerId: 3 });
          expect(Date.now() - started, `${cut}: no stall`).toBeLessThan(1500);
          await link.up();
          // Up again only once the subscription is back (and the in-process layer emptied).
          await eventually(async () => cache.redisState() === 'up');
          // Back: the kept invalidation reaches Redis and the other instance; nothing stale survives.
          await eventually(async () => (await other.get('service:1', load, tags))?.name === `v${version}`);
          await eventually(async () => (await cache.get('service:1', load, tags))?.name === `v${version}`);
        }
      } finally {
        await link.up();
        await cache.close();
        await other.close();
        await link.close();
      }
    });
  },
);
