import type { QueueViewState } from '@jiangxin/shared/console/views';
import type { Team } from '@jiangxin/shared/ops/routing';
import { MAX_TEAM_VIEWS, type TeamView, type TeamViewList } from '@jiangxin/shared/ops/team-views';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: StaffMember;
let reviewerA: StaffMember;
let reviewerB: StaffMember;
let agent: StaffMember;
let outsider: StaffMember;
let reviewTeam: Team;
let supportTeam: Team;

const state: QueueViewState = {
  filters: { priorityAtLeast: 2, statuses: ['open'] },
  sort: 'priority',
  columns: ['id', 'title', 'priority'],
};

async function createTeam(body: Record<string, unknown>): Promise<Team> {
  const res = await admin.api.post<Team>('/ops/teams', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员老周');
  reviewerA = await signUpStaff(t, ['moderator'], '审核小李');
  reviewerB = await signUpStaff(t, ['moderator'], '审核小张');
  agent = await signUpStaff(t, ['support'], '客服小王');
  outsider = await signUpStaff(t, ['moderator'], '审核老赵');
  reviewTeam = await createTeam({
    name: '视图审核组',
    kinds: ['listing_review'],
    mode: 'round_robin',
    memberIds: [reviewerA.userId, reviewerB.userId],
  });
  supportTeam = await createTeam({
    name: '视图客服组',
    kinds: ['support_chat'],
    mode: 'capacity',
    capacity: 5,
    memberIds: [agent.userId],
  });
});
afterAll(() => t?.close());

const share = (who: StaffMember, body: Record<string, unknown>) =>
  who.api.request<TeamView & { code?: string; errors?: { field: string }[]; detail?: string }>(
    'PUT',
    '/ops/team-views',
    body,
  );
const list = async (who: StaffMember, workspace: string) => {
  const res = await who.api.get<TeamViewList>(`/ops/team-views?workspace=${workspace}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

async function counts() {
  const [views, audit] = await Promise.all(
    (['team_views', 'audit_log'] as const).map((table) =>
      t.db.read
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
  );
  return { views: Number(views!.n), audit: Number(audit!.n) };
}

describe('team views', () => {
  it('a member shares a view; the team sees it in that queue, other teams and other queues do not', async () => {
    const res = await share(reviewerA, {
      teamId: reviewTeam.id,
      workspace: 'listings',
      name: '高优先级待审',
      state,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      teamName: '视图审核组',
      name: '高优先级待审',
      state,
      createdBy: { id: reviewerA.userId, nickname: '审核小李' },
      mayDelete: true,
    });

    const colleague = await list(reviewerB, 'listings');
    expect(colleague.teams).toEqual([{ id: reviewTeam.id, name: '视图审核组' }]);
    expect(colleague.items.map((v) => [v.teamName, v.name, v.mayDelete])).toEqual([
      ['视图审核组', '高优先级待审', false],
    ]);
    expect(colleague.items[0]!.state).toEqual(state);

    expect((await list(reviewerB, 'reports')).items).toEqual([]);
    expect(await list(agent, 'listings')).toEqual({
      teams: [{ id: supportTeam.id, name: '视图客服组' }],
      items: [],
    });
    expect(await list(outsider, 'listings')).toEqual({ teams: [], items: [] });

    const audit = await admin.api.get<{ items: { action: string; actorId: number }[] }>(
      `/ops/audit?subjectType=team_view&subjectId=${res.body.id}`,
    );
    expect(audit.body.items.map((a) => [a.action, a.actorId])).toEqual([
      ['team_view.create', reviewerA.userId],
    ]);
  });

  it('a non-member cannot share with the team (403); nothing is written', async () => {
    const before = await counts();
    const res = await share(outsider, {
      teamId: reviewTeam.id,
      workspace: 'listings',
      name: '越权视图',
      state,
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('team_view_not_member');
    const other = await share(agent, { teamId: reviewTeam.id, workspace: 'chats', name: '越权视图', state });
    expect(other.status).toBe(403);
    expect(await counts()).toEqual(before);
    // A teams.manage holder may share with any team.
    const byAdmin = await share(admin, {
      teamId: supportTeam.id,
      workspace: 'chats',
      name: '等待客户回复',
      state,
    });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(200);
    expect((await list(agent, 'chats')).items.map((v) => v.name)).toEqual(['等待客户回复']);
  });

  it('refuses a bad state with 400 naming the field; nothing is written', async () => {
    const before = await counts();
    const base = { teamId: reviewTeam.id, workspace: 'listings', name: '坏视图', state };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, state: { ...state, sort: 'random' } }, 'body.state.sort'],
      [{ ...base, state: { ...state, columns: [] } }, 'body.state.columns'],
      [{ ...base, state: { ...state, columns: ['id', 'secret'] } }, 'body.state.columns.1'],
      [
        { ...base, state: { ...state, filters: { priorityAtLeast: 9 } } },
        'body.state.filters.priorityAtLeast',
      ],
      [{ ...base, state: { ...state, filters: { owner: 'x' } } }, 'body.state.filters'],
      [{ ...base, name: '' }, 'body.name'],
      [{ ...base, name: '长'.repeat(41) }, 'body.name'],
      [{ ...base, workspace: 'ledger' }, 'body.workspace'],
    ];
    for (const [body, field] of cases) {
      const res = await share(reviewerA, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.errors?.map((e) => e.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('replacing or deleting is for its creator or teams.manage; the delete is audited', async () => {
    const first = await share(reviewerA, {
      teamId: reviewTeam.id,
      workspace: 'reports',
      name: '本周举报',
      state,
    });
    expect(first.status).toBe(200);
    const before = await counts();
    const stolen = await share(reviewerB, {
      teamId: reviewTeam.id,
      workspace: 'reports',
      name: '本周举报',
      state: { ...state, sort: 'sla' },
    });
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('team_view_not_yours');
    expect((await reviewerB.api.request('DELETE', `/ops/team-views/${first.body.id}`)).status).toBe(403);
    expect(await counts()).toEqual(before);

    const replaced = await share(reviewerA, {
      teamId: reviewTeam.id,
      workspace: 'reports',
      name: '本周举报',
      state: { ...state, sort: 'sla' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.id).toBe(first.body.id);
    expect((await list(reviewerB, 'reports')).items.map((v) => v.state.sort)).toEqual(['sla']);

    expect((await reviewerA.api.request('DELETE', `/ops/team-views/${first.body.id}`)).status).toBe(200);
    expect((await list(reviewerB, 'reports')).items).toEqual([]);
    expect((await reviewerA.api.request('DELETE', `/ops/team-views/${first.body.id}`)).status).toBe(404);
    const audit = await admin.api.get<{ items: { action: string }[] }>(
      `/ops/audit?subjectType=team_view&subjectId=${first.body.id}`,
    );
    expect(audit.body.items.map((a) => a.action).sort()).toEqual([
      'team_view.create',
      'team_view.delete',
      'team_view.replace',
    ]);

    // An administrator may delete a member's view.
    const other = await share(reviewerB, {
      teamId: reviewTeam.id,
      workspace: 'reports',
      name: '小张的',
      state,
    });
    expect((await admin.api.request('DELETE', `/ops/team-views/${other.body.id}`)).status).toBe(200);
  });

  it(`keeps at most ${MAX_TEAM_VIEWS} per team and queue (409, nothing written); replacing one still works`, async () => {
    const { items } = await list(agent, 'chats');
    for (let i = items.length; i < MAX_TEAM_VIEWS; i += 1) {
      const res = await share(agent, { teamId: supportTeam.id, workspace: 'chats', name: `视图${i}`, state });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const before = await counts();
    const over = await share(agent, { teamId: supportTeam.id, workspace: 'chats', name: '再来一个', state });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('team_view_limit');
    expect(over.body.detail).toContain(String(MAX_TEAM_VIEWS));
    expect(await counts()).toEqual(before);
    expect((await list(agent, 'chats')).items).toHaveLength(MAX_TEAM_VIEWS);
    const again = await share(agent, { teamId: supportTeam.id, workspace: 'chats', name: '视图5', state });
    expect(again.status).toBe(200);
    // Another queue of the same team has its own allowance.
    const elsewhere = await share(agent, {
      teamId: supportTeam.id,
      workspace: 'mine',
      name: '再来一个',
      state,
    });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
  });
});
