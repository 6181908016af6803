import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';

// Sign-in limits (issue 11, finding 1). Every test user signs in from 127.0.0.1; with TRUST_PROXY the
// core reads the client address from X-Forwarded-For, so a test can play several addresses.
const RIGHT = 'correct-horse-1';
const WRONG = 'wrong-password';
const from = (ip: string) => ({ 'x-forwarded-for': ip });

async function account(api: ApiClient, phone?: string) {
  const username = uniqueName('guess');
  const res = await api.post('/auth/register', {
    username,
    email: `${username}@example.cn`,
    ...(phone ? { phone } : {}),
    password: RIGHT,
  });
  expect(res.status).toBe(201);
  return username;
}

describe('sign-in limits per account and address', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        TRUST_PROXY: 'true',
        LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '10',
        LOGIN_FAILURES_PER_ACCOUNT: '25',
      },
    });
    api = new ApiClient(t.url, undefined, 'en');
  });
  afterAll(() => t?.close());

  it('locks every spelling of a locked name: padding, tabs, full-width, case, email and phone share one count', async () => {
    const name = await account(api, '13912345678');
    const ip = from('198.51.100.7');
    for (let i = 0; i < 10; i++)
      expect((await api.post('/auth/login', { login: name, password: WRONG }, ip)).status).toBe(401);
    const spellings = [
      name,
      ` ${name} `,
      `\u3000${name.toUpperCase()}`,
      [...name].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''),
      `${name}@EXAMPLE.cn`,
      '+86 139 1234 5678',
    ];
    for (const login of spellings) {
      // The right password too: the limit holds until the window passes, whatever the spelling.
      const res = await api.post('/auth/login', { login, password: RIGHT }, ip);
      expect(res.status, JSON.stringify(login)).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(res.body.detail).toMatch(/Too many failed sign-ins/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(60);
    }
    // A tab or any other control character is never part of a name: refused before any lookup or check.
    const tabbed = await api.post('/auth/login', { login: `${name}\t`, password: RIGHT }, ip);
    expect(tabbed.status).toBe(400);
    expect(tabbed.body.errors[0].field).toBe('body.login');
    // Another address is not locked out by this one's guesses.
    expect(
      (await api.post('/auth/login', { login: name, password: RIGHT }, from('198.51.100.8'))).status,
    ).toBe(200);
  });

  it('counts a burst of parallel guesses before checking any, so no more than the limit reach the password', async () => {
    const name = await account(api);
    const ip = from('198.51.100.20');
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => api.post('/auth/login', { login: name, password: WRONG }, ip)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it('limits one account over many addresses, and a right password does not count as a failure', async () => {
    const name = await account(api);
    // Right passwords from one address never lock it.
    for (let i = 0; i < 12; i++)
      expect(
        (await api.post('/auth/login', { login: name, password: RIGHT }, from('203.0.113.1'))).status,
      ).toBe(200);
    // 25 failures spread over 25 addresses (one each: no address reaches its own limit) lock the account.
    for (let i = 0; i < 25; i++)
      expect(
        (await api.post('/auth/login', { login: name, password: WRONG }, from(`203.0.113.${10 + i}`))).status,
      ).toBe(401);
    const next = await api.post('/auth/login', { login: name, password: RIGHT }, from('203.0.113.99'));
    expect(next.status).toBe(429);
  });

  it('limits a name that matches nobody the same way, so the answer does not tell names apart', async () => {
    const ghost = uniqueName('nobody');
    const ip = from('198.51.100.30');
    const statuses = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await api.post('/auth/login', { login: ` ${ghost}`, password: WRONG }, ip)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('sign-in limits per address and service', () => {
  let t: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ADDRESS: '5', LOGIN_FAILURES_GLOBAL_PER_MINUTE: '12' },
    });
    api = new ApiClient(t.url, undefined, 'en');
  });
  afterAll(() => t?.close());

  it('stops password spraying: one address trying many names is limited, other addresses are not', async () => {
    const names = [];
    for (let i = 0; i < 6; i++) names.push(await account(api));
    const sprayer = from('192.0.2.50');
    const statuses = [];
    for (const name of names)
      statuses.push((await api.post('/auth/login', { login: name, password: WRONG }, sprayer)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The sprayer cannot sign in even to an account it knows; a colleague's address can.
    expect((await api.post('/auth/login', { login: names[0], password: RIGHT }, sprayer)).status).toBe(429);
    expect(
      (await api.post('/auth/login', { login: names[0], password: RIGHT }, from('192.0.2.51'))).status,
    ).toBe(200);
    // Operators see it: the refusals are counted by the limit that made them.
    const metrics = await api.get('/metrics');
    expect(metrics.body).toMatch(/login_refusals_total\{limit="address"\} 2/);
  });

  it('pauses sign-in service-wide past the global failure budget, and refused attempts do not spend it', async () => {
    // The sprayer above spent 5 of the 12; its refused attempts did not count. 7 more failures from
    // fresh addresses reach the budget; the 13th failure anywhere is refused before its password is checked.
    const name = await account(api);
    const noisy = from('192.0.2.50'); // already over its own limit: these are refused without spending the budget
    for (let i = 0; i < 5; i++)
      expect((await api.post('/auth/login', { login: name, password: WRONG }, noisy)).status).toBe(429);
    for (let i = 0; i < 7; i++)
      expect(
        (await api.post('/auth/login', { login: name, password: WRONG }, from(`192.0.2.${100 + i}`))).status,
      ).toBe(401);
    const paused = await api.post('/auth/login', { login: name, password: RIGHT }, from('192.0.2.200'));
    expect(paused.status).toBe(429);
    expect(paused.body.detail).toMatch(/paused/);
    expect(Number(paused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});

describe('sign-in and writes while Redis is unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: the limit counters fall back to this process at once.
    t = await startTestApp({
      env: {
        REDIS_URL: 'redis://127.0.0.1:1',
        LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '3',
        WRITE_LIMIT_PER_MINUTE: '5',
      },
    });
  });
  afterAll(() => t?.close());

  it('signs in, writes and still limits (per instance) instead of failing, and /readyz says Redis is down', async () => {
    const api = new ApiClient(t.url);
    const started = Date.now();
    const { api: me, tokens } = await signUp(api);
    expect((await api.post('/auth/login', { login: tokens.user.username, password: RIGHT })).status).toBe(
      200,
    );
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await api.post('/auth/login', { login: tokens.user.username, password: WRONG })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const writes = [];
    for (let i = 0; i < 6; i++)
      writes.push(
        (await me.post('/support/conversations', { subject: `问题${i}`, message: '请问怎么开发票？' }))
          .status,
      );
    expect(writes.slice(0, 5).every((s) => s === 200 || s === 201)).toBe(true);
    expect(writes[5]).toBe(429);
    // None of this waited on the dead Redis (each call is a few ms; a stall was 0.9–9.5 s).
    expect(Date.now() - started).toBeLessThan(15_000);
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', database: 'up', redis: 'down' });
  });
});

const redisUrl = process.env['TEST_REDIS_URL'];
describe.skipIf(!redisUrl)(
  `sign-in limits across instances (Redis)${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    it('counts failures on every instance together', async () => {
      const { startScaledOutPair } = await import('../../test/harness');
      const pair = await startScaledOutPair(redisUrl!, { LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '4' });
      try {
        const a = new ApiClient(pair.a.url);
        const b = new ApiClient(pair.b.url);
        const name = await account(a);
        expect((await a.get('/readyz')).body).toMatchObject({ status: 'ready', redis: 'up' });
        for (const api of [a, b, a, b])
          expect((await api.post('/auth/login', { login: name, password: WRONG })).status).toBe(401);
        expect((await b.post('/auth/login', { login: name, password: RIGHT })).status).toBe(429);
        expect((await a.post('/auth/login', { login: ` ${name}`, password: RIGHT })).status).toBe(429);
      } finally {
        await pair.close();
      }
    });
  },
);
