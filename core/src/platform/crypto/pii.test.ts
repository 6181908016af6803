import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../main/runtime';
import { startSandbox } from '../../sandbox/index';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { idem, placePaidOrder } from '../../test/flows';
import { backend, startTestApp, TEST_PII_ENV, type TestApp } from '../../test/harness';
import { loadEnv } from '../config';
import { PiiKeyError, PiiKeyring, PiiUnreadableError, parseDataKeys } from './pii';
import { EMBEDDED_KEY_FILE, piiKeyringFromEnv, verifyPiiKeys } from './pii-keys';
import { rotatePii, sealedKeyCounts } from './rotate';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const testKeyring = () => PiiKeyring.fromConfig(TEST_PII_ENV.PII_KEY, TEST_PII_ENV.PII_INDEX_KEY);

describe('the keyring (AES-256-GCM, blind index)', () => {
  const pii = PiiKeyring.fromConfig(`a:${key(1)},b:${key(2)}`, key(3));

  it('seals under the first key, differently every time, and opens with any key of the ring', () => {
    const one = pii.seal('users.phone', '13800138000');
    const two = pii.seal('users.phone', '13800138000');
    expect(one).toMatch(/^pii1\.a\.[A-Za-z0-9_-]+$/);
    expect(one).not.toBe(two);
    expect(one).not.toContain('13800138000');
    expect(pii.open('users.phone', one)).toBe('13800138000');
    const underB = pii.seal('users.phone', '张三', 'b');
    expect(PiiKeyring.fromConfig(`b:${key(2)}`, key(3)).open('users.phone', underB)).toBe('张三');
  });

  it('refuses a flipped byte, a value moved to another column, an unknown key and plaintext', () => {
    const sealed = pii.seal('users.id_number', '11010519491231002X');
    const body = sealed.split('.')[2]!;
    const flipped = `pii1.a.${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}`;
    expect(() => pii.open('users.id_number', flipped)).toThrow(PiiUnreadableError);
    expect(() => pii.open('users.phone', sealed)).toThrow(/sealed for another column/);
    expect(() => PiiKeyring.fromConfig(`b:${key(2)}`, key(3)).open('users.id_number', sealed)).toThrow(
      /key a, which PII_KEY does not hold/,
    );
    expect(() => pii.open('users.phone', '13800138000')).toThrow(/not a sealed value/);
    try {
      pii.open('users.phone', flipped);
    } catch (err) {
      expect(err).toMatchObject({ code: 'personal_data_unreadable', status: 500 });
    }
  });

  it('indexes equal values equally however they are written, and only under its own index key', () => {
    expect(pii.blindIndex('phone', '+86 138-0013-8000')).toBe(pii.blindIndex('phone', '13800138000'));
    expect(pii.blindIndex('id_number', '11010519491231002x')).toBe(
      pii.blindIndex('id_number', '11010519491231002X'),
    );
    expect(pii.blindIndex('phone', '13800138000')).not.toBe(pii.blindIndex('phone', '13800138001'));
    expect(pii.blindIndex('phone', '13800138000')).not.toBe(pii.blindIndex('payee_account', '13800138000'));
    // The data keys rotate, the index does not: a ring with other data keys indexes the same.
    expect(PiiKeyring.fromConfig(`c:${key(4)}`, key(3)).blindIndex('phone', '13800138000')).toBe(
      pii.blindIndex('phone', '13800138000'),
    );
    expect(PiiKeyring.fromConfig(`a:${key(1)}`, key(5)).blindIndex('phone', '13800138000')).not.toBe(
      pii.blindIndex('phone', '13800138000'),
    );
  });

  it('explains a malformed PII_KEY', () => {
    expect(() => parseDataKeys('nokeyid')).toThrow(/keyId:base64key/);
    expect(() => parseDataKeys(`a:${key(1)},a:${key(2)}`)).toThrow(/key id a twice/);
    expect(() => parseDataKeys(`a:${Buffer.alloc(16).toString('base64')}`)).toThrow(/32 random bytes/);
    expect(() => loadEnv({ PII_KEY: 'not a key' })).toThrow(/PII_KEY: expected keyId:base64key/);
  });
});

describe('where the keys come from', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'jx-pii-'));

  it('production and PostgreSQL refuse to start without PII_KEY, naming what to set', async () => {
    const dataDir = tmp();
    const message = /PII_KEY and PII_INDEX_KEY are required in production and with PostgreSQL/;
    expect(() => piiKeyringFromEnv(loadEnv({ NODE_ENV: 'production', DATA_DIR: dataDir }))).toThrow(message);
    expect(() =>
      piiKeyringFromEnv(loadEnv({ DATABASE_URL: 'postgres://db.internal/jx', DATA_DIR: dataDir })),
    ).toThrow(message);
    expect(() =>
      piiKeyringFromEnv(loadEnv({ NODE_ENV: 'production', DATA_DIR: dataDir, PII_KEY: `a:${key(1)}` })),
    ).toThrow(/PII_KEY is set but PII_INDEX_KEY is not/);
    // The core's start stops before it opens the database.
    await expect(
      createRuntime(loadEnv({ NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'silent' })),
    ).rejects.toThrow(message);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the embedded database generates its keys once into DATA_DIR and keeps using them', () => {
    const dataDir = tmp();
    const generated: string[] = [];
    const first = piiKeyringFromEnv(loadEnv({ DATA_DIR: dataDir }), (f) => generated.push(f));
    const again = piiKeyringFromEnv(loadEnv({ DATA_DIR: dataDir }), (f) => generated.push(f));
    expect(generated).toEqual([path.join(dataDir, EMBEDDED_KEY_FILE)]);
    expect(fs.statSync(generated[0]!).mode & 0o777).toBe(0o600);
    expect(again.open('users.phone', first.seal('users.phone', '13800138000'))).toBe('13800138000');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(backend === 'postgres')(
    `a core started with another key than its data was written with stops with a clear message${
      backend === 'postgres' ? ' (skipped: starts the embedded runtime; runs in the pglite project)' : ''
    }`,
    async () => {
      const dataDir = tmp();
      const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' } as const;
      const sandbox = await startSandbox({ port: 0, log: pino({ level: 'silent' }) });
      const start = (e: Record<string, string>) =>
        createRuntime(loadEnv(e), { sandbox: sandbox.credentials });
      try {
        await (await start(env)).close();
        const generated = fs.readFileSync(path.join(dataDir, EMBEDDED_KEY_FILE), 'utf8');
        const dataKey = /PII_KEY=(\S+)/.exec(generated)![1]!;
        const indexKey = /PII_INDEX_KEY=(\S+)/.exec(generated)![1]!;
        // Same key id, other key: it cannot open what the database holds.
        await expect(start({ ...env, PII_KEY: `dev1:${key(8)}`, PII_INDEX_KEY: indexKey })).rejects.toThrow(
          /PII_KEY entry dev1 is not the key this database knows as dev1/,
        );
        // The right data key but another index key: every phone lookup would miss.
        await expect(start({ ...env, PII_KEY: dataKey, PII_INDEX_KEY: key(8) })).rejects.toThrow(
          /PII_INDEX_KEY is not the index key this database was written with/,
        );
        // With its own keys it still starts.
        await (await start(env)).close();
      } finally {
        await sandbox.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('personal data at rest, through the API', () => {
  let t: TestApp;
  let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
  const phone = '13912340001';
  const realName = '欧阳娜娜';
  const idNumber = '11010519491231002X';
  const account = 'nana.ouyang@example.cn';
  let user: { api: ApiClient; userId: number };
  const withdrawal = { amountFen: 20_000, channel: 'alipay', account: { name: realName, number: account } };
  const withdrawalKey = idem();

  beforeAll(async () => {
    t = await startTestApp({ payments: true });
    team = await signUpStaffTeam(t);
    const api = new ApiClient(t.url);
    const reg = await api.post<{ accessToken: string; user: { id: number } }>('/auth/register', {
      username: 'pii_nana',
      password: 'correct-horse-1',
      nickname: '娜娜设计',
      userType: 'freelancer',
      phone,
    });
    expect(reg.status).toBe(201);
    user = { api: api.as(reg.body.accessToken), userId: reg.body.user.id };
    // The phone verified through the SMS code (phone_codes and the outbox), real name submitted.
    expect((await user.api.post('/me/phone/code', { phone })).status).toBe(200);
    const code = t.sms.lastCode(phone)!;
    expect((await user.api.post('/me/phone/verify', { phone, code })).status).toBe(200);
    expect((await user.api.post('/me/real-name', { realName, idNumber })).status).toBe(200);
    await t.db.write
      .updateTable('users')
      .set({ real_name_status: 'verified' })
      .where('id', '=', user.userId)
      .execute();
    // Earnings, then a withdrawal to a payee account.
    const client = await signUp(new ApiClient(t.url), { userType: 'client' });
    const { serviceId } = await insertPublishedService(t, user.userId, { prices: [50_000, 90_000, 150_000] });
    await orderThroughCommands(t, { serviceId, clientId: client.userId });
    const w = await user.api.post('/wallet/withdrawals', withdrawal, withdrawalKey);
    expect(w.status).toBe(201);
    expect(w.body.account).toMatchObject({ name: realName, numberMasked: '********e.cn' });
    // A paid order queues an SMS to the verified phone, delivered by the job.
    await placePaidOrder(t, client.api, serviceId);
    await t.app.sweep();
  }, 60_000);
  afterAll(() => t?.close());

  it('no table holds the phone, real name, ID number or payee account in clear (every column of every table)', async () => {
    expect(t.sms.sent.filter((m) => m.phone === phone).map((m) => m.template)).toEqual(
      expect.arrayContaining(['verification_code', 'order_paid_freelancer']),
    );
    const tables = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.db.write);
    const names = tables.rows.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['users', 'phone_codes', 'payouts', 'notifications']));
    const leaks: string[] = [];
    for (const name of names) {
      const rows = await sql<{
        row: string;
      }>`SELECT row_to_json(x)::text AS row FROM ${sql.table(name)} x`.execute(t.db.write);
      for (const r of rows.rows)
        for (const secret of [phone, realName, idNumber, account])
          if (r.row.includes(secret)) leaks.push(`${name}: ${secret}`);
    }
    expect(leaks).toEqual([]);
    // …and the involved rows do hold it, sealed.
    const u = await t.db.write
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(u.phone).toMatch(/^pii1\.test1\./);
    expect(t.ctx.pii.open('users.phone', u.phone!)).toBe(phone);
    expect(t.ctx.pii.open('users.id_number', u.id_number!)).toBe(idNumber);
    expect(u.phone_bidx).toBe(t.ctx.pii.blindIndex('phone', phone));
    const p = await t.db.write
      .selectFrom('payouts')
      .selectAll()
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(t.ctx.pii.open('payouts.account_number', p.account_number)).toBe(account);
  });

  it('signs in by phone (however written) and refuses a second account with the same phone or ID number', async () => {
    for (const login of [phone, '+86 139-1234-0001'])
      expect(
        (await new ApiClient(t.url).post('/auth/login', { login, password: 'correct-horse-1' })).status,
      ).toBe(200);
    expect(
      (await new ApiClient(t.url).post('/auth/login', { login: '13912340002', password: 'correct-horse-1' }))
        .status,
    ).toBe(401);
    const again = await new ApiClient(t.url).post('/auth/register', {
      username: 'pii_nana_two',
      password: 'correct-horse-1',
      phone,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('phone_taken');
    const other = await signUp(new ApiClient(t.url));
    const dup = await other.api.post('/me/real-name', {
      realName: '冒名者',
      idNumber: idNumber.toLowerCase(),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('id_number_taken');
    expect((await user.api.get('/me')).body).toMatchObject({ phone, phoneVerified: true });
  });

  it('masks for staff and reveals with an audit row', async () => {
    const ctxRes = await team.support.api.get(`/ops/users/${user.userId}/context`);
    expect(ctxRes.body.profile).toMatchObject({
      phone: '139****0001',
      realName: '欧阳**',
      idNumber: '1101**********002X',
    });
    const page = await team.support.api.get(`/ops/customers/${user.userId}`);
    expect(page.status).toBe(200);
    expect(page.body.profile.phone).toBe('139****0001');
    const before = await auditCount();
    const revealed = await team.admin.api.post(`/ops/users/${user.userId}/reveal`, {
      field: 'idNumber',
      reason: '核对实名信息',
    });
    expect(revealed.body).toEqual({ userId: user.userId, field: 'idNumber', value: idNumber });
    expect(await auditCount()).toBe(before + 1);
  });

  it('refuses a tampered value (one byte changed in the table, or a ciphertext moved from another column) instead of showing it', async () => {
    const original = await t.db.write
      .selectFrom('users')
      .select(['real_name', 'phone'])
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    // Flip one character of the ciphertext, in SQL, as someone with database access would.
    await sql`UPDATE users SET real_name = overlay(real_name placing
        (CASE WHEN substr(real_name, 20, 1) = 'A' THEN 'B' ELSE 'A' END) from 20 for 1)
      WHERE id = ${user.userId}`.execute(t.db.write);
    const before = await auditCount();
    const refused = await team.admin.api.post(`/ops/users/${user.userId}/reveal`, {
      field: 'realName',
      reason: '核对实名信息',
    });
    expect(refused.status).toBe(500);
    expect(refused.body).toMatchObject({ code: 'personal_data_unreadable' });
    expect(refused.body.detail).toContain('完整性校验');
    expect(JSON.stringify(refused.body)).not.toMatch(/at .*\.ts|stack|欧阳/);
    expect(await auditCount()).toBe(before);
    const masked = await team.support.api.get(`/ops/users/${user.userId}/context`);
    expect(masked.status).toBe(500);
    expect(masked.body.code).toBe('personal_data_unreadable');
    // A payee account's ciphertext pasted over the phone: authenticated for another column, refused.
    const p = await t.db.write
      .selectFrom('payouts')
      .select('account_number')
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    await t.db.write
      .updateTable('users')
      .set({ real_name: original.real_name, phone: p.account_number })
      .where('id', '=', user.userId)
      .execute();
    const me = await user.api.get('/me');
    expect(me.status).toBe(500);
    expect(me.body.code).toBe('personal_data_unreadable');
    await t.db.write
      .updateTable('users')
      .set({ phone: original.phone })
      .where('id', '=', user.userId)
      .execute();
    expect((await user.api.get('/me')).body.phone).toBe(phone);
  });

  it('refuses to start with keys that are not the database’s', async () => {
    const otherSameId = PiiKeyring.fromConfig(`test1:${key(42)}`, TEST_PII_ENV.PII_INDEX_KEY);
    await expect(verifyPiiKeys(t.db.write, otherSameId)).rejects.toThrow(
      /PII_KEY entry test1 is not the key this database knows as test1/,
    );
    const newIdOnly = PiiKeyring.fromConfig(`k9:${key(43)}`, TEST_PII_ENV.PII_INDEX_KEY);
    await expect(verifyPiiKeys(t.db.write, newIdOnly)).rejects.toThrow(
      /encrypted under key test1 \(recorded, not retired\), which PII_KEY does not hold/,
    );
    await expect(
      verifyPiiKeys(t.db.write, PiiKeyring.fromConfig(TEST_PII_ENV.PII_KEY, key(44))),
    ).rejects.toThrow(PiiKeyError);
    // A refused start records nothing: the corrected configuration starts.
    const recorded = await t.db.write.selectFrom('pii_key_checks').select('key_id').execute();
    expect(recorded.map((r) => r.key_id).sort()).toEqual(['index', 'test1']);
    await expect(verifyPiiKeys(t.db.write, testKeyring())).resolves.toBeUndefined();
  });

  it('rotates to a new key while serving, then works without the old one', async () => {
    const newKey = `k2:${key(21)}`;
    // Step 1 of the procedure: every core runs with the new key first and the old one still present.
    const both = await startTestApp({
      shareDbWith: t,
      env: { PII_KEY: `${newKey},${TEST_PII_ENV.PII_KEY}` },
    });
    try {
      const login = await new ApiClient(both.url).post<{ accessToken: string }>('/auth/login', {
        login: phone,
        password: 'correct-horse-1',
      });
      const meOnBoth = new ApiClient(both.url).as(login.body.accessToken);
      // Requests keep being served while the rows move from one key to the other.
      const [report, ...reads] = await Promise.all([
        rotatePii(t.db.write, both.ctx.pii, { batch: 2 }),
        ...Array.from({ length: 5 }, () => meOnBoth.get('/me')),
      ]);
      expect(reads.every((r) => r.status === 200 && r.body.phone === phone)).toBe(true);
      expect(report.retired).toEqual(['test1']);
      expect(report.resealed['users.phone']).toBeGreaterThan(0);
      expect(Object.keys(await sealedKeyCounts(t.db.write))).toEqual(['k2']);
    } finally {
      await both.close();
    }
    // Step 3: the old key leaves PII_KEY; a core with only the new key starts and reads everything.
    const onlyNew = await startTestApp({ shareDbWith: t, env: { PII_KEY: newKey } });
    try {
      const login = await new ApiClient(onlyNew.url).post<{ accessToken: string }>('/auth/login', {
        login: phone,
        password: 'correct-horse-1',
      });
      expect(login.status).toBe(200);
      const me = new ApiClient(onlyNew.url).as(login.body.accessToken);
      expect((await me.get('/me')).body.phone).toBe(phone);
      const mine = await me.get<{ items: { account: { name: string } }[] }>('/wallet/withdrawals');
      expect(mine.body.items[0]!.account.name).toBe(realName);
      // A retry of the first withdrawal replays its stored answer, whose payee was re-sealed too.
      const replay = await me.post<{ account: { name: string } }>(
        '/wallet/withdrawals',
        withdrawal,
        withdrawalKey,
      );
      expect(replay.status).toBe(200);
      expect(replay.body.account.name).toBe(realName);
      const admin = await new ApiClient(onlyNew.url).post<{ accessToken: string }>('/auth/login', {
        login: team.admin.username,
        password: 'correct-horse-1',
      });
      const revealed = await new ApiClient(onlyNew.url)
        .as(admin.body.accessToken)
        .post(`/ops/users/${user.userId}/reveal`, { field: 'realName', reason: '轮换后核对' });
      expect(revealed.body.value).toBe(realName);
      // A core with only the old key would now refuse to start: the data has moved on to k2.
      await expect(verifyPiiKeys(t.db.write, testKeyring())).rejects.toThrow(/encrypted under key k2/);
    } finally {
      await onlyNew.close();
    }
  });

  async function auditCount(): Promise<number> {
    const r = await t.db.write
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'pii.reveal')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
});
