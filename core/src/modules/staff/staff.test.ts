import type { TokenPair } from '@jiangxin/shared/api/accounts';
import type { StaffMember as Member } from '@jiangxin/shared/ops/staff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOps } from '../../platform/realtime/ops-test-kit';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { verifyAuditChain } from '../audit/chain';

let t: TestApp;
let admin: StaffMember;

const PASSWORD = 'long-enough-1';

async function lastAudit() {
  return t.db.read
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}
async function auditCount() {
  const r = await t.db.read
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function member(id: number): Promise<Member> {
  const list = await admin.api.get<{ items: Member[] }>('/ops/staff');
  expect(list.status).toBe(200);
  const m = list.body.items.find((i) => i.id === id);
  if (!m) throw new Error(`staff ${id} not listed`);
  return m;
}

async function create(roles: string[], nickname = '新同事'): Promise<Member & { password: string }> {
  const username = uniqueName('staff');
  const res = await admin.api.post<Member>('/ops/staff', { username, nickname, password: PASSWORD, roles });
  expect(res.status).toBe(201);
  return { ...res.body, password: PASSWORD };
}

async function login(username: string, password = PASSWORD) {
  return new ApiClient(t.url).post<TokenPair & { code?: string; details?: { zh: string; en: string } }>(
    '/auth/login',
    { login: username, password },
  );
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员老周');
});
afterAll(() => t?.close());

describe('staff accounts', () => {
  it('only staff.manage may list or change staff', async () => {
    const finance = await signUpStaff(t, ['finance']);
    expect((await finance.api.get('/ops/staff')).status).toBe(403);
    const before = await auditCount();
    const res = await finance.api.post('/ops/staff', {
      username: uniqueName('x'),
      nickname: '越权',
      password: PASSWORD,
      roles: ['admin'],
    });
    expect(res.status).toBe(403);
    expect(await auditCount()).toBe(before);
  });

  it('creates an account that can sign in with its roles; audited without the password', async () => {
    const created = await create(['support', 'moderator'], '客服小新');
    expect(created).toMatchObject({
      roles: ['support', 'moderator'],
      active: true,
      lastLoginAt: null,
      version: 1,
    });
    const audit = await lastAudit();
    expect(audit).toMatchObject({
      action: 'staff.create',
      actor_id: admin.userId,
      subject_type: 'user',
      subject_id: created.id,
    });
    expect(audit.data).toEqual({
      username: created.username,
      nickname: '客服小新',
      roles: ['support', 'moderator'],
    });
    expect(JSON.stringify(audit.data)).not.toContain(PASSWORD);

    const signedIn = await login(created.username);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.staffRoles).toEqual(['support', 'moderator']);
    expect((await member(created.id)).lastLoginAt).not.toBeNull();
  });

  it('refuses a short password, no role, an unknown role and a taken username; nothing is written', async () => {
    const before = await auditCount();
    const base = { username: uniqueName('s'), nickname: '张三', password: PASSWORD, roles: ['support'] };
    for (const body of [
      { ...base, password: 'short' },
      { ...base, roles: [] },
      { ...base, roles: ['owner'] },
      { ...base, roles: ['support', 'support'] },
    ]) {
      const res = await admin.api.post('/ops/staff', body);
      expect(res.status).toBe(400);
    }
    const taken = await admin.api.post('/ops/staff', { ...base, username: admin.username });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('username_taken');
    expect(await auditCount()).toBe(before);
  });

  it('sets roles with the version guard; a stale version is a 409 naming the current one', async () => {
    const m = await create(['support']);
    const res = await admin.api.request('PUT', `/ops/staff/${m.id}/roles`, {
      roles: ['finance'],
      version: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['finance'], version: 2 });
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'staff.set_roles', subject_id: m.id });
    expect(audit.data).toMatchObject({ before: ['support'], after: ['finance'] });

    const stale = await admin.api.request('PUT', `/ops/staff/${m.id}/roles`, {
      roles: ['admin'],
      version: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'staff_version_conflict', currentVersion: 2 });
    expect((await member(m.id)).roles).toEqual(['finance']);
  });

  it('a role change takes effect on the member’s next request, without a new sign-in', async () => {
    const m = await create(['support']);
    const api = new ApiClient(t.url).as((await login(m.username)).body.accessToken);
    expect((await api.get('/ops/support/unread')).status).toBe(200);
    const res = await admin.api.request('PUT', `/ops/staff/${m.id}/roles`, {
      roles: ['moderator'],
      version: 1,
    });
    expect(res.status).toBe(200);
    expect((await api.get('/ops/support/unread')).status).toBe(403);
  });

  it('disabling ends the member’s sessions: sign-in, refresh, ops routes and the live stream are refused', async () => {
    const m = await create(['moderator']);
    const session = await login(m.username);
    expect(session.status).toBe(200);
    const api = new ApiClient(t.url).as(session.body.accessToken);
    const stream = connectOps(t.url, { token: session.body.accessToken });
    await stream.ready;
    const closed = new Promise<string>((resolve) => stream.socket.once('disconnect', resolve));

    const res = await admin.api.post(`/ops/staff/${m.id}/disable`, { version: m.version, note: '离职' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, version: m.version + 1 });
    expect(res.body.disabledAt).not.toBeNull();
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'staff.disable', actor_id: admin.userId, subject_id: m.id });
    expect(audit.data).toMatchObject({ note: '离职', roles: ['moderator'], revokedTokens: 1 });

    expect(await closed).toBeTruthy();
    const denied = await api.get('/ops/cases');
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('account_disabled');
    const refresh = await new ApiClient(t.url).post('/auth/refresh', {
      refreshToken: session.body.refreshToken,
    });
    expect(refresh.status).toBe(401);
    const again = await login(m.username);
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('account_disabled');
    expect(again.body.details?.zh).toContain('已停用');
    const reconnect = connectOps(t.url, { token: session.body.accessToken });
    await expect(reconnect.ready).rejects.toThrow(/unauthenticated/);
    reconnect.close();
    stream.close();

    // Disabling twice is refused; enabling lets them sign in again, audited.
    const twice = await admin.api.post(`/ops/staff/${m.id}/disable`, { version: m.version + 1 });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('staff_already_disabled');
    const on = await admin.api.post(`/ops/staff/${m.id}/enable`, { version: m.version + 1 });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ active: true, disabledAt: null, version: m.version + 2 });
    expect(await lastAudit()).toMatchObject({ action: 'staff.enable', subject_id: m.id });
    expect((await login(m.username)).status).toBe(200);
  });

  it('the last active admin can neither remove their admin role nor disable themselves (409, zh and en)', async () => {
    await onlyActiveAdmin(admin.userId);
    const me = await member(admin.userId);
    const before = await auditCount();
    const demote = await admin.api.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['support'],
      version: me.version,
    });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ code: 'staff_last_admin' });
    expect(demote.body.details).toEqual({
      zh: '至少需要保留一名启用状态的管理员',
      en: 'At least one active administrator must remain',
    });
    const off = await admin.api.post(`/ops/staff/${admin.userId}/disable`, { version: me.version });
    expect(off.status).toBe(409);
    expect(off.body.code).toBe('staff_last_admin');

    // A disabled admin does not count: with another admin who is disabled, still refused.
    const other = await create(['admin'], '已停用的管理员');
    const disabled = await admin.api.post(`/ops/staff/${other.id}/disable`, { version: other.version });
    expect(disabled.status).toBe(200);
    const still = await admin.api.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['support'],
      version: me.version,
    });
    expect(still.status).toBe(409);
    expect(still.body.code).toBe('staff_last_admin');
    // Only the creation and the disabling were written.
    expect(await auditCount()).toBe(before + 2);
    expect((await member(admin.userId)).roles).toEqual(me.roles);
  });

  it('with another active admin, an admin still cannot remove their own admin role or disable themselves (422)', async () => {
    const second = await create(['admin'], '管理员二号');
    const me = await member(admin.userId);
    const before = await auditCount();
    const demote = await admin.api.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['support'],
      version: me.version,
    });
    expect(demote.status).toBe(422);
    expect(demote.body).toMatchObject({ code: 'staff_self_admin_removal' });
    expect(demote.body.details.zh).toContain('不能移除自己的管理员角色');
    expect(demote.body.details.en).toContain('your own administrator role');
    const off = await admin.api.post(`/ops/staff/${admin.userId}/disable`, { version: me.version });
    expect(off.status).toBe(422);
    expect(off.body.code).toBe('staff_self_disable');
    expect(off.body.details.zh).toContain('不能停用自己的账号');
    expect(await auditCount()).toBe(before);

    // Adding a role to oneself is fine; and the other admin may take this one's admin role away,
    // after which this one may no longer manage staff (the stored roles count, not the token's).
    const add = await admin.api.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['admin', 'support'],
      version: me.version,
    });
    expect(add.status).toBe(200);
    const secondApi = new ApiClient(t.url).as((await login(second.username)).body.accessToken);
    const demoted = await secondApi.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['support'],
      version: add.body.version,
    });
    expect(demoted.status).toBe(200);
    expect((await admin.api.get('/ops/staff')).status).toBe(403);
    const restored = await secondApi.request('PUT', `/ops/staff/${admin.userId}/roles`, {
      roles: ['admin'],
      version: demoted.body.version,
    });
    expect(restored.status).toBe(200);
    expect((await admin.api.get('/ops/staff')).status).toBe(200);
    expect(await auditCount()).toBe(before + 3);
    expect(await verifyAuditChain(t.db.read)).toMatchObject({ ok: true, checked: await auditCount() });
  });
});

describe('staff directory', () => {
  type Entry = { id: number; nickname: string; roles: string[]; online: boolean | null };
  const directory = async (api: ApiClient, query = '') => {
    const res = await api.get<{ items: Entry[] }>(`/ops/staff/directory${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  };

  it('any member who hands on cases reads it; a marketplace user or nobody cannot', async () => {
    const support = await signUpStaff(t, ['support'], '客服阿梅');
    const finance = await signUpStaff(t, ['finance'], '财务阿强');
    for (const who of [support, finance, admin])
      expect((await who.api.get('/ops/staff/directory')).status).toBe(200);
    const customer = await signUp(new ApiClient(t.url));
    const refused = await customer.api.get('/ops/staff/directory');
    expect(refused.status).toBe(403);
    expect((await new ApiClient(t.url).get('/ops/staff/directory')).status).toBe(401);
    // An unknown kind is a validation error, not an empty list.
    const bad = await support.api.get('/ops/staff/directory?kind=everything');
    expect(bad.status).toBe(400);
  });

  it('lists active colleagues with roles and online state, never sign-in names or disabled members', async () => {
    const agent = await create(['support'], '客服小美');
    const both = await create(['support', 'moderator'], '客服兼审核阿杰');
    const moderator = await create(['moderator'], '审核老孙');
    const leaver = await create(['support'], '客服已离职');
    expect(
      (await admin.api.post(`/ops/staff/${leaver.id}/disable`, { version: leaver.version })).status,
    ).toBe(200);
    const reader = await signUpStaff(t, ['support'], '客服读者');

    // Online: the agent has the console open (a live /ops stream); the others do not.
    const session = await login(agent.username);
    const stream = connectOps(t.url, { token: session.body.accessToken });
    try {
      await stream.ready;
      const all = await directory(reader.api);
      const mine = (id: number) => all.find((e) => e.id === id);
      expect(mine(agent.id)).toEqual({
        id: agent.id,
        nickname: '客服小美',
        roles: ['support'],
        online: true,
      });
      expect(mine(both.id)).toEqual({
        id: both.id,
        nickname: '客服兼审核阿杰',
        roles: ['support', 'moderator'],
        online: false,
      });
      expect(mine(moderator.id)?.online).toBe(false);
      expect(mine(leaver.id)).toBeUndefined();
      for (const e of all) expect(Object.keys(e).sort()).toEqual(['id', 'nickname', 'online', 'roles']);
      expect(JSON.stringify(all)).not.toContain(agent.username);

      // Only those who may take support chats (support, admin): the core would refuse anyone else.
      const forChats = await directory(reader.api, '?kind=support_chat');
      const ids = forChats.map((e) => e.id);
      expect(ids).toContain(agent.id);
      expect(ids).toContain(both.id);
      expect(ids).toContain(admin.userId);
      expect(ids).not.toContain(moderator.id);
      expect(ids).not.toContain(leaver.id);
      for (const e of forChats) expect(e.roles.some((r) => r === 'support' || r === 'admin')).toBe(true);
    } finally {
      stream.close();
    }
    await eventually(
      async () => (await directory(reader.api)).find((e) => e.id === agent.id)?.online === false,
    );
  });
});

/** Disables every other active admin, so `id` is the only one. */
async function onlyActiveAdmin(id: number) {
  const list = await admin.api.get<{ items: Member[] }>('/ops/staff');
  for (const m of list.body.items)
    if (m.id !== id && m.active && m.roles.includes('admin')) {
      const res = await admin.api.post(`/ops/staff/${m.id}/disable`, { version: m.version });
      expect(res.status).toBe(200);
    }
}
