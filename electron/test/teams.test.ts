import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../core/src/modules/cases/commands';
import { signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type EngineUnderTest, removeDir, signedInEngine, until } from './support';

/**
 * Team routing's bridge methods through a real engine to a real core: an admin builds a team, a member
 * goes online from their console (the admin's console hears it live) and receives the next case, which
 * their cache shows as theirs.
 */
let t: TestApp;
const engines: EngineUnderTest[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  for (const e of engines) {
    await e.close();
    removeDir(e.dir);
  }
  await t?.close();
});

const signedIn = (login: string) => signedInEngine(t.url, login, engines);

describe('team routing through the console', () => {
  it('an admin creates a team; a member going online from the console receives the next case', async () => {
    const admin = await signUpStaff(t, ['admin'], '管理员老周');
    const moderator = await signUpStaff(t, ['moderator'], '审核小王');
    const a = await signedIn(admin.username);
    const created = await a.call('teams.create', {
      name: '审核组',
      kinds: ['report'],
      mode: 'round_robin',
      memberIds: [moderator.userId],
    });
    expect(created.members).toMatchObject([{ nickname: '审核小王', status: 'away', openCases: 0 }]);

    const m = await signedIn(moderator.username);
    expect(await m.call('presence.get')).toMatchObject({ status: 'away', teams: [{ name: '审核组' }] });
    expect((await m.call('presence.set', { status: 'online' })).status).toBe('online');
    // The admin's console hears it live (the Teams screen re-reads on it).
    await until('the admin hears the member came online', async () =>
      a.events.some(
        (e) =>
          e.event === 'team.presence' &&
          (e.payload as { userId: number; status: string }).userId === moderator.userId &&
          (e.payload as { status: string }).status === 'online',
      ),
    );

    const opened: CaseSummary = await t.db.transact((tx) =>
      openCase(t.ctx, tx, {
        kind: 'report',
        subjectType: 'user',
        subjectId: 42,
        stage: 'open',
        title: '举报',
      }),
    );
    expect(opened.assigneeId).toBe(moderator.userId);
    // The member's console learns it from the live stream like any assignment.
    await until('the case in my cache as mine', async () => {
      const page = await m.call('cases.list', { kinds: ['report'] });
      return page.items.some((c) => c.id === opened.id && c.assigneeId === moderator.userId);
    });
    const teams = await a.call('teams.list');
    expect(teams.items[0]?.members[0]).toMatchObject({ status: 'online', openCases: 1 });
    const refused = await a
      .call('teams.update', {
        id: created.id,
        team: { name: '审核组', kinds: ['report'], mode: 'round_robin', memberIds: [], version: 99 },
      })
      .catch((err: { problem?: { code: string } }) => err.problem?.code);
    expect(refused).toBe('team_version_conflict');
  });
});
