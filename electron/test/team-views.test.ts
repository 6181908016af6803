import type { QueueViewState } from '@jiangxin/shared/console/views';
import type { Team } from '@jiangxin/shared/ops/routing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type NetworkLink, startLink } from '../../core/src/test/proxy';
import { type EngineUnderTest, openEngine, removeDir, until } from './support';

/**
 * Team-shared views through a real engine to a real core: a member shares a view with their team, a
 * colleague's console lists it under the team's name, keeps showing it offline (the last copy in the
 * console's settings file), and sharing or deleting offline is refused with 需要联网, never queued.
 */
let t: TestApp;
let admin: StaffMember;
let a: StaffMember;
let b: StaffMember;
let team: Team;
const engines: EngineUnderTest[] = [];
const links: NetworkLink[] = [];

const state: QueueViewState = {
  filters: { priorityAtLeast: 2, statuses: ['open'] },
  sort: 'priority',
  columns: ['id', 'title', 'priority'],
};

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员老周');
  a = await signUpStaff(t, ['moderator'], '审核小李');
  b = await signUpStaff(t, ['moderator'], '审核小张');
  const res = await admin.api.post<Team>('/ops/teams', {
    name: '审核组',
    kinds: ['listing_review'],
    mode: 'round_robin',
    memberIds: [a.userId, b.userId],
  });
  expect(res.status).toBe(201);
  team = res.body;
});
afterAll(async () => {
  for (const e of engines) {
    await e.close();
    removeDir(e.dir);
  }
  for (const l of links) await l.close();
  await t?.close();
});

async function signedIn(coreUrl: string, login: string): Promise<EngineUnderTest> {
  const e = await openEngine(coreUrl);
  engines.push(e);
  await e.call('auth.login', { login, password: 'correct-horse-1' });
  await until('online', async () => (await e.call('sync.status')).state === 'online');
  return e;
}

const problemOf = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: { problem?: { code: string; message: { zh: string; en: string } } }) => err.problem ?? null,
  );

describe('team views through the console', () => {
  it('shared by one member, listed for a colleague with the team name; kept for offline; 需要联网 to change', async () => {
    const mine = await signedIn(t.url, a.username);
    const shared = await mine.call('teamViews.share', {
      teamId: team.id,
      workspace: 'listings',
      name: '高优先级待审',
      state,
    });
    expect(shared.offline).toBe(false);
    expect(shared.items.map((v) => [v.teamName, v.name, v.mayDelete])).toEqual([
      ['审核组', '高优先级待审', true],
    ]);

    const link = await startLink(t.url);
    links.push(link);
    const theirs = await signedIn(link.url, b.username);
    const listed = await theirs.call('teamViews.list', { workspace: 'listings' });
    expect(listed).toMatchObject({ offline: false, teams: [{ id: team.id, name: '审核组' }] });
    expect(listed.items).toMatchObject([
      { teamName: '审核组', name: '高优先级待审', state, mayDelete: false },
    ]);
    expect((await theirs.call('teamViews.list', { workspace: 'reports' })).items).toEqual([]);

    await link.down();
    await until('offline', async () => (await theirs.call('sync.status')).state === 'offline');
    const offline = await theirs.call('teamViews.list', { workspace: 'listings' });
    expect(offline.offline).toBe(true);
    expect(offline.cachedAt).toBe(listed.cachedAt);
    expect(offline.items.map((v) => v.name)).toEqual(['高优先级待审']);

    // A console restarted offline still shows them (the copy is in its settings file).
    await theirs.close();
    const restarted = await openEngine(link.url, { dir: theirs.dir, tokens: theirs.tokens });
    engines.push(restarted);
    await until(
      'signed in from the stored session',
      async () => (await restarted.call('auth.session')) !== null,
    );
    const afterRestart = await restarted.call('teamViews.list', { workspace: 'listings' });
    expect(afterRestart).toMatchObject({ offline: true, teams: [{ name: '审核组' }] });
    expect(afterRestart.items.map((v) => v.name)).toEqual(['高优先级待审']);

    const refused = await problemOf(
      restarted.call('teamViews.share', { teamId: team.id, workspace: 'listings', name: '离线共享', state }),
    );
    expect(refused?.code).toBe('needs_online');
    expect(refused?.message.zh).toContain('需要联网');
    const refusedDelete = await problemOf(
      restarted.call('teamViews.delete', { workspace: 'listings', id: listed.items[0]!.id }),
    );
    expect(refusedDelete?.message.zh).toContain('需要联网');
    // Nothing was queued for later.
    expect((await restarted.call('outbox.list')).items).toEqual([]);
    await link.up();
    await until('online again', async () => (await restarted.call('sync.status')).state === 'online');
    expect(
      (await restarted.call('teamViews.list', { workspace: 'listings' })).items.map((v) => v.name),
    ).toEqual(['高优先级待审']);

    // Deleting: the colleague may not (403 from the core); its creator may.
    const notYours = await problemOf(
      restarted.call('teamViews.delete', { workspace: 'listings', id: listed.items[0]!.id }),
    );
    expect(notYours?.code).toBe('team_view_not_yours');
    const after = await mine.call('teamViews.delete', { workspace: 'listings', id: listed.items[0]!.id });
    expect(after.items).toEqual([]);
  });
});
