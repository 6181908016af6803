import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../core/src/test/client';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type EngineUnderTest, openEngine, removeDir, until } from './support';

/**
 * The admin screens' bridge methods through a real engine to a real core: staff accounts and roles,
 * canned-reply management, and what disabling a member does to their own open console.
 */
let t: TestApp;
let admin: StaffMember;
const engines: EngineUnderTest[] = [];

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员老周');
});
afterAll(async () => {
  for (const e of engines) {
    await e.close();
    removeDir(e.dir);
  }
  await t?.close();
});

async function signedIn(login: string, password: string): Promise<EngineUnderTest> {
  const e = await openEngine(t.url);
  engines.push(e);
  await e.call('auth.login', { login, password });
  await until('online', async () => (await e.call('sync.status')).state === 'online');
  return e;
}

describe('admin bridge methods', () => {
  it('creates a member, changes their roles and disables them: their own console is signed out', async () => {
    const e = await signedIn(admin.username, 'correct-horse-1');
    const username = uniqueName('kf');
    const created = await e.call('staff.create', {
      username,
      nickname: '客服小新',
      password: 'long-enough-1',
      roles: ['support'],
    });
    expect(created).toMatchObject({ username, roles: ['support'], active: true, version: 1 });
    const list = await e.call('staff.list');
    expect(list.items.map((m) => m.username)).toContain(username);

    const member = await signedIn(username, 'long-enough-1');
    const seen = member.events.length;
    const roles = await e.call('staff.setRoles', {
      id: created.id,
      roles: ['support', 'moderator'],
      version: 1,
    });
    expect(roles).toMatchObject({ roles: ['support', 'moderator'], version: 2 });
    // A role change closes the member's stream; their console reconnects with the new scope.
    await until('member reconnected', async () => {
      const reconnects = member.events
        .slice(seen)
        .filter((x) => x.event === 'sync.status' && (x.payload as { state: string }).state !== 'online');
      return reconnects.length > 0 && (await member.call('sync.status')).state === 'online';
    });
    // Their console takes up the new roles without signing in again: the session the renderer builds its
    // navigation from now holds them, and the moderation permissions come with them.
    await until('member session has the new roles', () =>
      member.events.some(
        (x) =>
          x.event === 'session.changed' &&
          ((x.payload as ConsoleSession | null)?.roles ?? []).includes('moderator'),
      ),
    );
    const session = await member.call('auth.session');
    expect(session).toMatchObject({ username });
    expect([...(session?.roles ?? [])].sort()).toEqual(['moderator', 'support']);
    expect(session?.permissions).toContain('listings.review');
    // The member (support, no staff.manage) reads the directory to hand on a chat: the admin is there,
    // and the member themselves shows online (their console's stream is up).
    const directory = await member.call('staff.directory', { kind: 'support_chat' });
    expect(directory.items.find((m) => m.id === created.id)).toEqual({
      id: created.id,
      nickname: '客服小新',
      roles: ['support', 'moderator'],
      online: true,
    });
    expect(directory.items.map((m) => m.id)).toContain(admin.userId);
    expect((await member.engine.dispatch('staff.list', {})).ok).toBe(false);
    const stale = await e.engine.dispatch('staff.setRoles', {
      id: created.id,
      roles: ['finance'],
      version: 1,
    });
    expect(stale).toMatchObject({ ok: false, problem: { code: 'staff_version_conflict', status: 409 } });

    const disabled = await e.call('staff.disable', { id: created.id, version: 2, note: '调岗' });
    expect(disabled).toMatchObject({ active: false, version: 3 });
    // The member's console loses its stream, cannot refresh, and ends the session.
    await until('member signed out', () =>
      member.events.some(
        (x) => x.event === 'session.changed' && (x.payload as ConsoleSession | null) === null,
      ),
    );
    expect(await member.call('auth.session')).toBeNull();

    const self = await e.engine.dispatch('staff.disable', { id: admin.userId, version: 1 });
    expect(self).toMatchObject({ ok: false, problem: { status: 409 } });
    expect((await e.call('staff.enable', { id: created.id, version: 3 })).active).toBe(true);

    const audit = await e.call('audit.list', { action: 'staff.*' });
    expect(audit.items.map((r) => r.action)).toEqual([
      'staff.enable',
      'staff.disable',
      'staff.set_roles',
      'staff.create',
    ]);
  });

  it('creates, edits and deletes canned replies through the core', async () => {
    const e = await signedIn(admin.username, 'correct-horse-1');
    const created = await e.call('cannedReplies.create', {
      title: '问候',
      bodyZh: '{{user.nickname}}您好',
      shortcut: 'hello',
    });
    expect(created).toMatchObject({ title: '问候', bodyEn: '', shortcut: 'hello' });
    const updated = await e.call('cannedReplies.update', { id: created.id, bodyEn: 'Hi {{user.nickname}}' });
    expect(updated).toMatchObject({
      id: created.id,
      bodyZh: '{{user.nickname}}您好',
      bodyEn: 'Hi {{user.nickname}}',
    });
    const unknown = await e.engine.dispatch('cannedReplies.update', { id: created.id, bodyZh: '{{x.y}}' });
    expect(unknown).toMatchObject({ ok: false, problem: { code: 'canned_reply_unknown_variable' } });
    expect(await e.call('cannedReplies.delete', { id: created.id })).toEqual({ ok: true });
    expect((await e.call('cannedReplies.list', {})).items.map((r) => r.id)).not.toContain(created.id);
  });
});
