import { STAFF_ROLES } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type ApiResponse, signUp, uniqueName } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { idem } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';

/**
 * The outside probe of issue 11 (finding 3), one regression per finding: NUL bytes that reached
 * PostgreSQL (500), dates that were never parsed (500), control and bidi characters stored in
 * nicknames, and ids read as hex. Plus what the fuzz test (fuzz.test.ts) found on the way: deep perform
 * bodies overflowing the stack, router and parser refusals that were not problem+json, and WeChat
 * refusals answered 500.
 */
let t: TestApp;
let admin: StaffMember;
let user: Awaited<ReturnType<typeof signUp>>;
let victimId: number;
let caseId: number;

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  admin = await signUpStaff(t, [...STAFF_ROLES], '管理员');
  user = await signUp(new ApiClient(t.url, undefined, 'en'), { userType: 'both', nickname: '小王' });
  victimId = (await signUp(new ApiClient(t.url), { nickname: '被查看的人' })).userId;
  const { logo } = await seedCatalog(t);
  expect((await user.api.post('/services', serviceBody(logo.id))).status).toBe(201);
  caseId = (await t.db.read.selectFrom('cases').select('id').executeTakeFirstOrThrow()).id;
});
afterAll(() => t?.close());

/** Row counts of the tables these requests could write, and the newest event. */
async function footprint() {
  const r = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM orders)::int AS orders,
      (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM canned_replies)::int AS canned,
      (SELECT count(*) FROM audit_log)::int AS audit, (SELECT coalesce(max(id), 0) FROM events)::int AS events,
      (SELECT count(*) FROM idempotency_keys)::int AS keys`.execute(t.db.read);
  return r.rows[0]!;
}

/** A 400 problem whose field errors name exactly `field` (and say what is wrong with it). */
function expectRefusal(res: ApiResponse<any>, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe('validation_failed');
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  expect(res.body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
}

describe('NUL never reaches PostgreSQL', () => {
  it('sign-in: a NUL in the name or the password is a 400 naming it, before the password check', async () => {
    const anon = new ApiClient(t.url, undefined, 'en');
    expectRefusal(
      await anon.post('/auth/login', { login: 'a\u0000b', password: 'whatever-1' }),
      'body.login',
    );
    expectRefusal(
      await anon.post('/auth/login', { login: 'someone', password: 'pass\u0000word' }),
      'body.password',
    );
  });

  it('PATCH /me, an order’s requirements, a message: 400 naming the field, nothing written', async () => {
    const before = await footprint();
    expectRefusal(await user.api.patch('/me', { nickname: '小\u0000王' }), 'body.nickname');
    expectRefusal(await user.api.patch('/me', { freelancer: { bio: 'bio\u0000' } }), 'body.freelancer.bio');
    expectRefusal(
      await user.api.post(
        '/orders',
        { serviceId: 1, tier: 'basic', requirements: '需要\u0000源文件', paymentProvider: 'alipay' },
        idem(),
      ),
      'body.requirements',
    );
    expectRefusal(
      await user.api.post('/conversations/1/messages', { type: 'text', content: '你好\u0000' }),
      'body.content',
    );
    expect(await footprint()).toEqual(before);
    expect((await user.api.get('/me')).body.nickname).toBe('小王');
  });

  it('search strings: ?q=%00 on services, ops cases and canned replies is a 400 naming q', async () => {
    expectRefusal(await user.api.get('/services?q=%00'), 'querystring.q');
    expectRefusal(await admin.api.get('/ops/cases?q=%00'), 'querystring.q');
    expectRefusal(await admin.api.get('/ops/canned-replies?q=a%00'), 'querystring.q');
    expect((await admin.api.get('/ops/canned-replies?q=%E9%97%AE%E5%80%99')).status).toBe(200);
  });

  it('canned reply titles: a NUL or a line break is a 400 naming the title, nothing stored', async () => {
    const before = await footprint();
    expectRefusal(
      await admin.api.post('/ops/canned-replies', { title: '问候\u0000', bodyZh: '您好' }),
      'body.title',
    );
    expectRefusal(
      await admin.api.post('/ops/canned-replies', { title: '问\n候', bodyZh: '您好' }),
      'body.title',
    );
    expect(await footprint()).toEqual(before);
    const made = await admin.api.post('/ops/canned-replies', {
      title: '问候',
      bodyZh: '您好\n有什么可以帮您？',
    });
    expect(made.status).toBe(201);
    expectRefusal(
      await admin.api.patch(`/ops/canned-replies/${made.body.id}`, { title: '\u0000' }),
      'body.title',
    );
  });
});

describe('dates in query strings are parsed strictly', () => {
  it('yesterday, 1e20 and x are a 400 naming the parameter', async () => {
    expectRefusal(await admin.api.get('/ops/cases?createdFrom=yesterday'), 'querystring.createdFrom');
    expectRefusal(await admin.api.get('/ops/cases?createdTo=1e20'), 'querystring.createdTo');
    expectRefusal(await admin.api.get('/ops/audit?from=x'), 'querystring.from');
    expectRefusal(await admin.api.get('/ops/audit?to=2026-02-30'), 'querystring.to');
    expectRefusal(await admin.api.get('/ops/stats?from=1999-01-01T00:00:00Z'), 'querystring.from');
  });

  it('real instants still filter: with an offset, in UTC, or a date alone (midnight China time)', async () => {
    const all = await admin.api.get('/ops/cases?createdFrom=2000-01-01');
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { id: number }) => c.id)).toContain(caseId);
    const none = await admin.api.get(
      `/ops/cases?createdFrom=${encodeURIComponent('2100-01-01T00:00:00+08:00')}`,
    );
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
    expect((await admin.api.get('/ops/audit?from=2026-01-01T00:00:00.000Z&to=2100-01-01')).status).toBe(200);
  });
});

describe('names other people see', () => {
  it('bidi controls are removed from a nickname, at sign-up and on edit', async () => {
    const signed = await new ApiClient(t.url).post('/auth/register', {
      username: uniqueName('bidi'),
      password: 'correct-horse-1',
      nickname: '\u202eRED\u2066txt\u2069.exe\u200f',
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    expect(signed.body.user.nickname).toBe('REDtxt.exe');
    const edited = await user.api.patch('/me', { nickname: '小王\u202e' });
    expect(edited.status).toBe(200);
    expect(edited.body.nickname).toBe('小王');
    const stored = await t.db.read
      .selectFrom('users')
      .select('nickname')
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(stored.nickname).toBe('小王');
  });

  it('bell and escape are refused (400 naming the nickname); the stored nickname is unchanged', async () => {
    expectRefusal(await user.api.patch('/me', { nickname: '\u0007\u001b[31mRED\u202e' }), 'body.nickname');
    expectRefusal(
      await admin.api.post('/ops/staff', {
        username: uniqueName('staff'),
        nickname: '客服\u001b[0m',
        password: 'correct-horse-1',
        roles: ['support'],
      }),
      'body.nickname',
    );
    expect((await user.api.get('/me')).body.nickname).toBe('小王');
  });

  it('passwords are kept exactly as typed: spaces count', async () => {
    const username = uniqueName('pw');
    const anon = new ApiClient(t.url);
    expect((await anon.post('/auth/register', { username, password: '  correct horse  ' })).status).toBe(201);
    expect((await anon.post('/auth/login', { login: username, password: '  correct horse  ' })).status).toBe(
      200,
    );
    expect((await anon.post('/auth/login', { login: username, password: 'correct horse' })).status).toBe(401);
  });
});

describe('ids are decimal', () => {
  it('/ops/users/0x10/reveal and its cousins are a 400 naming the id, and no reveal is audited', async () => {
    const before = await footprint();
    for (const id of ['0x10', '1e1', '%2016', '+16', '016', '16.0', '-16', '0', '9007199254740992'])
      expectRefusal(
        await admin.api.post(`/ops/users/${id}/reveal`, { field: 'phone', reason: '核实身份' }),
        'params.id',
      );
    expect(await footprint()).toEqual(before);
    const real = await admin.api.post(`/ops/users/${victimId}/reveal`, {
      field: 'phone',
      reason: '核实身份',
    });
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect((await footprint()).audit).toBe(before.audit! + 1);
  });

  it('ids and numbers in query strings too', async () => {
    expectRefusal(await admin.api.get('/ops/cases?userId=0x10'), 'querystring.userId');
    expectRefusal(await admin.api.get('/ops/cases?assignee=1e1'), 'querystring.assignee');
    expectRefusal(await admin.api.get('/ops/cases?limit=1e1'), 'querystring.limit');
    expectRefusal(await admin.api.get('/ops/audit?actorId=%2016'), 'querystring.actorId');
    expectRefusal(await user.api.get('/services?minPriceFen=-1'), 'querystring.minPriceFen');
    expectRefusal(await user.api.get('/services?minRating=4.5e0'), 'querystring.minRating');
    expect((await user.api.get('/services?minRating=4.5&limit=10')).status).toBe(200);
  });
});

describe('what the fuzz test found', () => {
  it('a perform body nested 20,000 deep is a 400, also with an Idempotency-Key (was a stack overflow: 500)', async () => {
    const before = await footprint();
    const body = `{"version":1,"note":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await admin.api.request('POST', `/ops/cases/${caseId}/perform/approve`, body, {
      'content-type': 'application/json',
      'idempotency-key': 'deep-nesting-0001',
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(await footprint()).toEqual(before);
  });

  it('a path parameter over the router’s limit, or wrongly percent-encoded, is a 400 problem (was 414 / 400 JSON)', async () => {
    for (const path of [`/orders/${'1'.repeat(200)}`, '/orders/%E0%A4%A']) {
      const res = await user.api.get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('headers or a URL over the size limit are a 431 problem (was Fastify’s own JSON)', async () => {
    const res = await user.api.get(`/services?q=${'x'.repeat(100_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('payload_too_large');
  });

  it('an Alipay notification with NUL, raw or percent-encoded, is a 400 and is not logged (was a 500)', async () => {
    const logged = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_notifications`.execute(t.db.read))
        .rows[0]!.n;
    const before = await logged();
    for (const [body, field] of [
      ['out_trade_no=JX1%00&trade_status=TRADE_SUCCESS&sign=x', 'body.out_trade_no'],
      ['out_trade_no=JX1\u0000&sign=x', 'body'],
    ] as const) {
      const res = await new ApiClient(t.url).request('POST', '/payments/alipay/notify', body, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expectRefusal(res, field);
    }
    expect(await logged()).toBe(before);
    // An unsigned notification without NUL is still answered the Alipay way, and logged.
    const unsigned = await new ApiClient(t.url).request(
      'POST',
      '/payments/alipay/notify',
      'out_trade_no=JX1&sign=x',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect([unsigned.status, unsigned.body]).toEqual([200, 'failure']);
    expect(await logged()).toBe(before + 1);
  });

  it('a WeChat Pay notification that cannot be verified is refused with a 4xx FAIL (was 500)', async () => {
    const res = await new ApiClient(t.url).post('/payments/wechat/notify', { id: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'FAIL' });
  });
});
