import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
});
afterAll(() => t?.close());

describe('accounts', () => {
  it('registers, signs in by username/email/phone and shows /me', async () => {
    const username = uniqueName('alice');
    const reg = await api.post('/auth/register', {
      username,
      email: `${username}@example.cn`,
      phone: '13800138000',
      password: 'correct-horse-1',
      nickname: '小王设计',
      userType: 'both',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({
      username,
      nickname: '小王设计',
      isClient: true,
      isFreelancer: true,
      realNameStatus: 'unverified',
    });
    for (const loginName of [username, `${username}@EXAMPLE.cn`, '13800138000']) {
      const res = await api.post('/auth/login', { login: loginName, password: 'correct-horse-1' });
      expect(res.status, loginName).toBe(200);
    }
    const me = await api.as(reg.body.accessToken).get('/me');
    expect(me.status).toBe(200);
    expect(me.body.freelancerProfile).not.toBeNull();
  });

  it('refuses duplicates, bad passwords and bad input with a field-naming problem', async () => {
    const { tokens } = await signUp(api);
    const dup = await api.post('/auth/register', {
      username: tokens.user.username.toUpperCase(),
      password: 'correct-horse-1',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('username_taken');
    expect(dup.headers.get('content-type')).toContain('application/problem+json');

    const wrong = await api.post('/auth/login', { login: tokens.user.username, password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('账号或密码错误');

    const bad = await api
      .as(undefined)
      .request(
        'POST',
        '/auth/register',
        { username: 'x', password: 'short', userType: 'wizard' },
        { 'accept-language': 'en' },
      );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.username', 'body.password', 'body.userType']));
  });

  it('rotates refresh tokens and revokes the family when an old one is replayed', async () => {
    const { tokens } = await signUp(api);
    const first = await api.post('/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(first.status).toBe(200);
    const second = await api.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    const replay = await api.post('/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');
    // The newest token of that family no longer works either.
    const after = await api.post('/auth/refresh', { refreshToken: second.body.refreshToken });
    expect(after.status).toBe(401);
  });

  it('rejects requests without or with a forged token', async () => {
    expect((await api.get('/me')).status).toBe(401);
    const forged = await api.as('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.invalid').get('/me');
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('token_invalid');
  });

  it('verifies a phone with the SMS code and refuses a wrong one', async () => {
    const { api: me } = await signUp(api);
    expect((await me.post('/me/phone/code', { phone: '13912345678' })).status).toBe(200);
    expect((await me.post('/me/phone/code', { phone: '13912345678' })).status).toBe(429);
    const code = t.sms.lastCode('13912345678')!;
    const wrong = await me.post('/me/phone/verify', {
      phone: '13912345678',
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.body.code).toBe('verification_code_invalid');
    const ok = await me.post('/me/phone/verify', { phone: '13912345678', code });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ phone: '13912345678', phoneVerified: true });
  });

  it('refuses invalid UTF-8 and wrong content types', async () => {
    const invalid = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const res = await api.request('POST', '/auth/login', invalid, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body');
    const text = await api.request('POST', '/auth/login', 'login=a', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('takes real-name details for review and refuses an invalid ID number', async () => {
    const { api: me } = await signUp(api);
    const bad = await me.post('/me/real-name', { realName: '张三', idNumber: '110105194912310021' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.idNumber');
    const ok = await me.post('/me/real-name', { realName: '张三', idNumber: '11010519491231002x' });
    expect(ok.status).toBe(200);
    expect(ok.body.realNameStatus).toBe('pending');
  });

  it('limits password guessing per account name', async () => {
    const { tokens } = await signUp(api);
    const attempts = [];
    for (let i = 0; i < 11; i++)
      attempts.push(
        (await api.post('/auth/login', { login: tokens.user.username, password: 'wrong-password' })).status,
      );
    expect(attempts.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(attempts[10]).toBe(429);
    const limited = await api.post('/auth/login', {
      login: tokens.user.username,
      password: 'correct-horse-1',
    });
    expect(limited.body.code).toBe('rate_limited');
    // Another account from the same address is not locked out by it.
    const other = await signUp(api);
    expect(
      (await api.post('/auth/login', { login: other.tokens.user.username, password: 'correct-horse-1' }))
        .status,
    ).toBe(200);
  });
});

describe('sign-up limit', () => {
  it('refuses more sign-ups per address than REGISTER_LIMIT_PER_HOUR, with a problem in the caller language', async () => {
    const limited = await startTestApp({ env: { REGISTER_LIMIT_PER_HOUR: '3' } });
    try {
      const client = new ApiClient(limited.url, undefined, 'en');
      for (let i = 0; i < 3; i++) await signUp(client);
      const fourth = await client.post('/auth/register', {
        username: uniqueName('spam'),
        password: 'correct-horse-1',
      });
      expect(fourth.status).toBe(429);
      expect(fourth.body.code).toBe('rate_limited');
      expect(fourth.body.detail).toBe('Too many requests; try again later');
    } finally {
      await limited.close();
    }
  });
});
