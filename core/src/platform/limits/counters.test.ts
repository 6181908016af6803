import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LimitCounters } from './counters';

const log = pino({ level: 'silent' });
const opened: LimitCounters[] = [];
const open = (redisUrl: string | undefined, prefix = `jxtest-${randomBytes(4).toString('hex')}`) => {
  const c = new LimitCounters({ redisUrl, prefix, log });
  opened.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

describe('limit counters', () => {
  it('counts in this process without Redis, in fixed windows, and a hit can be taken back', async () => {
    let now = 1_000_000;
    const c = new LimitCounters({ prefix: 't', log, now: () => now });
    expect(await c.hit('k', 60_000)).toEqual({ count: 1, ttlMs: 60_000 });
    now += 10_000;
    expect(await c.hit('k', 60_000)).toEqual({ count: 2, ttlMs: 50_000 });
    await c.undo('k', 60_000);
    expect((await c.hit('k', 60_000)).count).toBe(2);
    now += 50_000; // the window is over: a new one starts
    expect(await c.hit('k', 60_000)).toEqual({ count: 1, ttlMs: 60_000 });
    expect(c.backend).toBe('local');
    expect(c.usesRedis).toBe(false);
  });

  it('keeps at most maxLocalKeys counters, dropping the oldest, so a flood of names cannot fill memory', async () => {
    const c = new LimitCounters({ prefix: 't', log, maxLocalKeys: 100 });
    for (let i = 0; i < 5_000; i++) await c.hit(`name-${i}`, 60_000);
    const size = (c as unknown as { local: Map<string, unknown> }).local.size;
    expect(size).toBeLessThanOrEqual(100 + 1_000);
  });

  it('falls back to local counting at once when Redis is unreachable, never stalling a request', async () => {
    const c = open('redis://127.0.0.1:1');
    const started = Date.now();
    for (let i = 1; i <= 50; i++) expect((await c.hit('k', 60_000)).count).toBe(i);
    expect(Date.now() - started).toBeLessThan(500);
    expect(c.usesRedis).toBe(true);
    expect(c.backend).toBe('local');
  });
});

const redisUrl = process.env['TEST_REDIS_URL'];
describe.skipIf(!redisUrl)(
  `limit counters on Redis${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    it('shares counts between instances, with the window kept by Redis', async () => {
      const prefix = `jxtest-${randomBytes(4).toString('hex')}`;
      const a = open(redisUrl, prefix);
      const b = open(redisUrl, prefix);
      for (let i = 0; i < 50 && (a.backend !== 'redis' || b.backend !== 'redis'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(a.backend).toBe('redis');
      expect((await a.hit('k', 60_000)).count).toBe(1);
      const second = await b.hit('k', 60_000);
      expect(second.count).toBe(2);
      expect(second.ttlMs).toBeGreaterThan(59_000);
      await b.undo('k', 60_000);
      expect((await a.hit('k', 60_000)).count).toBe(2);
    });
  },
);

describe.skipIf(!redisUrl)(
  `limit counters in a Redis partition${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    it('pays one command timeout, then counts locally without waiting, and says Redis is down when asked', async () => {
      const { startLink } = await import('../../test/proxy');
      const link = await startLink(redisUrl!);
      const c = new LimitCounters({
        redisUrl: link.via(redisUrl!),
        prefix: `jxtest-${randomBytes(4).toString('hex')}`,
        log,
        commandTimeoutMs: 200,
        retryAfterFailureMs: 60_000,
      });
      opened.push(c);
      try {
        for (let i = 0; i < 50 && c.backend !== 'redis'; i++) await new Promise((r) => setTimeout(r, 20));
        expect(await c.probe()).toBe('redis');
        await c.hit('k', 60_000);
        await link.stall(); // the socket stays open and looks ready; nothing answers
        const first = Date.now();
        await c.hit('k', 60_000);
        expect(Date.now() - first).toBeGreaterThanOrEqual(150); // waited out one timeout
        const rest = Date.now();
        for (let i = 0; i < 20; i++) await c.hit('k', 60_000);
        expect(Date.now() - rest).toBeLessThan(200); // and no more
        expect(c.backend).toBe('local');
        expect(await c.probe()).toBe('local');
      } finally {
        await link.close();
      }
    });
  },
);
