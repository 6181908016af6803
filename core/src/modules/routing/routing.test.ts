import type { AuditEntry } from '@jiangxin/shared/ops/audit';
import type { CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { MyPresence, Team } from '@jiangxin/shared/ops/routing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';
import { changeCase, openCase } from '../cases/commands';
import { lockCase } from '../cases/queries';

let t: TestApp;
let admin: StaffMember;

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员老周');
});
afterAll(() => t?.close());

let subject = 5000;
/** A new case of `kind`, opened the way a domain event opens one. */
async function open(kind: CaseKind): Promise<CaseSummary> {
  subject += 1;
  return t.db.transact((tx) =>
    openCase(t.ctx, tx, { kind, subjectType: 'user', subjectId: subject, stage: 'open', title: '测试工单' }),
  );
}

async function createTeam(body: Record<string, unknown>): Promise<Team> {
  const res = await admin.api.post<Team>('/ops/teams', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function setPresence(who: StaffMember, status: 'online' | 'away'): Promise<MyPresence> {
  const res = await who.api.request<MyPresence>('PUT', '/ops/me/presence', { status });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function assigneeOf(who: StaffMember, id: number): Promise<number | null> {
  const res = await who.api.get<CaseDetail>(`/ops/cases/${id}`);
  expect(res.status).toBe(200);
  return res.body.case.assigneeId;
}

async function auditOf(caseId: number): Promise<AuditEntry[]> {
  const res = await admin.api.get<{ items: AuditEntry[] }>(
    `/ops/audit?subjectType=case&subjectId=${caseId}&action=case.*`,
  );
  expect(res.status).toBe(200);
  return res.body.items;
}

async function counts() {
  const [teams, audit] = await Promise.all(
    (['teams', 'audit_log'] as const).map((table) =>
      t.db.read
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
  );
  return { teams: Number(teams!.n), audit: Number(audit!.n) };
}

describe('teams', () => {
  it('only an administrator may list, create or change teams; nothing is written', async () => {
    const moderator = await signUpStaff(t, ['moderator']);
    const before = await counts();
    expect((await moderator.api.get('/ops/teams')).status).toBe(403);
    const res = await moderator.api.post('/ops/teams', {
      name: '越权组',
      kinds: ['report'],
      mode: 'round_robin',
      memberIds: [moderator.userId],
    });
    expect(res.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with 400 naming the field; nothing is written', async () => {
    const moderator = await signUpStaff(t, ['moderator']);
    const finance = await signUpStaff(t, ['finance']);
    const base = {
      name: '校验组',
      kinds: ['listing_review'],
      mode: 'round_robin',
      memberIds: [moderator.userId],
    };
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, name: '' }, 'body.name'],
      [{ ...base, kinds: [] }, 'body.kinds'],
      [{ ...base, kinds: ['parcel'] }, 'body.kinds.0'],
      [{ ...base, mode: 'random' }, 'body.mode'],
      [{ ...base, mode: 'capacity' }, 'body.capacity'],
      [{ ...base, mode: 'capacity', capacity: 0 }, 'body.capacity'],
      [{ ...base, memberIds: [moderator.userId, moderator.userId] }, 'body.memberIds'],
      // A finance member may not review listings: named by position.
      [{ ...base, memberIds: [moderator.userId, finance.userId] }, 'body.memberIds.1'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.api.post<{ code: string; errors?: { field: string }[] }>('/ops/teams', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.errors?.map((e) => e.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('editing a team', () => {
  it('replaces mode and members with the version, refuses a stale one and a kind another team has', async () => {
    const a = await signUpStaff(t, ['finance'], '财务甲');
    const b = await signUpStaff(t, ['finance'], '财务乙');
    const team = await createTeam({
      name: '财务组',
      kinds: ['payout'],
      mode: 'round_robin',
      memberIds: [a.userId],
    });
    const body = {
      name: '财务一组',
      kinds: ['payout'],
      mode: 'capacity',
      capacity: 5,
      memberIds: [a.userId, b.userId],
    };
    const changed = await admin.api.request<Team>('PUT', `/ops/teams/${team.id}`, {
      ...body,
      version: team.version,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({
      name: '财务一组',
      mode: 'capacity',
      capacity: 5,
      version: team.version + 1,
    });
    expect(changed.body.members.map((m) => m.nickname)).toEqual(['财务甲', '财务乙']);
    const stale = await admin.api.request('PUT', `/ops/teams/${team.id}`, { ...body, version: team.version });
    expect([stale.status, stale.body.code]).toEqual([409, 'team_version_conflict']);
    const clash = await admin.api.post('/ops/teams', { ...body, name: '财务二组' });
    expect([clash.status, clash.body.code]).toEqual([409, 'team_kind_taken']);
    const [audit] = (
      await admin.api.get<{ items: AuditEntry[] }>(`/ops/audit?subjectType=team&subjectId=${team.id}`)
    ).body.items;
    expect(audit).toMatchObject({ action: 'team.update', data: { before: { mode: 'round_robin' } } });
  });
});

describe('routing new cases', () => {
  let m1: StaffMember;
  let m2: StaffMember;
  let team: Team;

  beforeAll(async () => {
    [m1, m2] = [await signUpStaff(t, ['moderator'], '审核甲'), await signUpStaff(t, ['moderator'], '审核乙')];
    team = await createTeam({
      name: '举报组',
      kinds: ['report'],
      mode: 'round_robin',
      memberIds: [m2.userId, m1.userId],
    });
  });

  it('leaves a new case in the queue while every member is away', async () => {
    const c = await open('report');
    expect(c.assigneeId).toBeNull();
    expect(await assigneeOf(m1, c.id)).toBeNull();
  });

  it('round robin spreads three new cases over two online members 2/1, in turn; each audited', async () => {
    // The case left waiting above goes to the first member to come online; the second finds none.
    expect((await setPresence(m1, 'online')).received).toBe(1);
    expect((await setPresence(m2, 'online')).received).toBe(0);
    const opened = [await open('report'), await open('report'), await open('report')];
    expect(opened.map((c) => c.assigneeId)).toEqual([m2.userId, m1.userId, m2.userId]);
    // The console sees what a manual assignment shows: the holder, a new version, the history line.
    const detail = (await m1.api.get<CaseDetail>(`/ops/cases/${opened[0]!.id}`)).body;
    expect(detail.case).toMatchObject({ assigneeId: m2.userId, assigneeName: '审核乙', version: 2 });
    expect(detail.history.at(-1)).toMatchObject({ action: 'assigned', note: '由团队「举报组」自动分配' });
    const [audit] = await auditOf(opened[1]!.id);
    expect(audit).toMatchObject({
      action: 'case.assign',
      actorId: null,
      data: { to: m1.userId, reason: 'auto-assigned by team 举报组', teamId: team.id },
    });
    const listed = (await admin.api.get<{ items: Team[] }>('/ops/teams')).body.items.find(
      (x) => x.id === team.id,
    );
    expect(listed?.members.map((m) => [m.nickname, m.status, m.openCases])).toEqual([
      ['审核甲', 'online', 2],
      ['审核乙', 'online', 2],
    ]);
  });

  it('gives an away member nothing, and going away hands their untouched cases to the online member', async () => {
    await setPresence(m1, 'online');
    await setPresence(m2, 'online');
    const mine = await open('report');
    const theirs = await open('report');
    const held = [mine, theirs].find((c) => c.assigneeId === m2.userId)!;
    expect(held).toBeTruthy();

    const away = await setPresence(m2, 'away');
    expect(away.status).toBe('away');
    expect(away.reassigned).toBeGreaterThanOrEqual(1);
    expect(await assigneeOf(m1, held.id)).toBe(m1.userId);
    const [audit] = await auditOf(held.id);
    expect(audit).toMatchObject({
      action: 'case.assign',
      actorId: m2.userId,
      data: { from: m2.userId, to: m1.userId },
    });
    expect(String(audit!.data['reason'])).toContain('went away');

    // While away, new cases all go to the online member.
    const next = [await open('report'), await open('report')];
    expect(next.map((c) => c.assigneeId)).toEqual([m1.userId, m1.userId]);
    const presenceAudit = await admin.api.get<{ items: AuditEntry[] }>(
      `/ops/audit?action=team.presence&actorId=${m2.userId}`,
    );
    expect(presenceAudit.body.items[0]).toMatchObject({ data: { from: 'online', to: 'away' } });

    // Nobody online: going away gives the cases back to the queue.
    const m1Cases = await t.db.read
      .selectFrom('cases')
      .select('id')
      .where('assignee_id', '=', m1.userId)
      .where('status', '=', 'open')
      .execute();
    await setPresence(m1, 'away');
    for (const { id } of m1Cases) expect(await assigneeOf(m1, id)).toBeNull();
    expect((await open('report')).assigneeId).toBeNull();
  });
});

describe('capacity-aware routing', () => {
  it('gives the fewest-loaded online member the case and skips anyone at the cap', async () => {
    const a = await signUpStaff(t, ['moderator'], '容量甲');
    const b = await signUpStaff(t, ['moderator'], '容量乙');
    await createTeam({
      name: '审核组',
      kinds: ['listing_review'],
      mode: 'capacity',
      capacity: 2,
      memberIds: [a.userId, b.userId],
    });
    await setPresence(a, 'online');
    await setPresence(b, 'online');
    const opened: CaseSummary[] = [];
    for (let i = 0; i < 5; i++) opened.push(await open('listing_review'));
    const got = opened.map((c) => c.assigneeId);
    // Two each (never more than the cap), alternating by load; the fifth waits in the queue.
    expect(got.slice(0, 4).filter((x) => x === a.userId)).toHaveLength(2);
    expect(got.slice(0, 4).filter((x) => x === b.userId)).toHaveLength(2);
    expect(got[0]).not.toBe(got[1]);
    expect(got[4]).toBeNull();
  });
});

describe('coming online', () => {
  it('routes the cases waiting in the queue, most urgent then oldest, up to the cap; the rest wait', async () => {
    const a = await signUpStaff(t, ['moderator'], '仲裁甲');
    const b = await signUpStaff(t, ['moderator'], '仲裁乙');
    await createTeam({
      name: '仲裁组',
      kinds: ['dispute'],
      mode: 'capacity',
      capacity: 2,
      memberIds: [a.userId, b.userId],
    });
    // Three disputes arrive while both are away: nobody takes them.
    const waiting = [await open('dispute'), await open('dispute'), await open('dispute')];
    expect(waiting.map((c) => c.assigneeId)).toEqual([null, null, null]);
    const urgent = waiting[2]!;
    await t.db.transact((tx) =>
      tx.updateTable('cases').set({ priority: 3 }).where('id', '=', urgent.id).execute(),
    );

    const cameOnline = await setPresence(a, 'online');
    expect(cameOnline.received).toBe(2);
    // The urgent one first, then the oldest; the cap keeps the third in the queue.
    expect(await assigneeOf(a, urgent.id)).toBe(a.userId);
    expect(await assigneeOf(a, waiting[0]!.id)).toBe(a.userId);
    expect(await assigneeOf(a, waiting[1]!.id)).toBeNull();
    const detail = (await a.api.get<CaseDetail>(`/ops/cases/${urgent.id}`)).body;
    expect(detail.history.at(-1)).toMatchObject({
      action: 'assigned',
      note: '有同事上线，处理排队中的工单，由团队「仲裁组」自动分配',
    });

    // The next member to come online takes what is left; going online again writes nothing.
    expect((await setPresence(b, 'online')).received).toBe(1);
    expect(await assigneeOf(b, waiting[1]!.id)).toBe(b.userId);
    expect((await setPresence(b, 'online')).received).toBe(0);
  });
});

describe('capacity-aware ties', () => {
  it('between members with as many open cases, the one idle longest receives the case', async () => {
    const a = await signUpStaff(t, ['finance'], '对账甲');
    const b = await signUpStaff(t, ['finance'], '对账乙');
    await createTeam({
      name: '对账组',
      kinds: ['reconciliation_mismatch'],
      mode: 'capacity',
      capacity: 3,
      memberIds: [a.userId, b.userId],
    });
    await setPresence(a, 'online');
    await setPresence(b, 'online');
    const resolve = (id: number) =>
      t.db.transact(async (tx) => {
        await changeCase(t.ctx, tx, (await lockCase(tx, id))!, null, 'resolved', { status: 'resolved' });
      });
    const first = await open('reconciliation_mismatch');
    expect(first.assigneeId).toBe(a.userId); // nobody served yet: the lower id
    t.clock.advance(1000);
    const second = await open('reconciliation_mismatch');
    expect(second.assigneeId).toBe(b.userId); // fewest open
    await resolve(first.id);
    t.clock.advance(1000);
    const third = await open('reconciliation_mismatch');
    expect(third.assigneeId).toBe(a.userId); // fewest open again; a is now the one served last
    await resolve(second.id);
    await resolve(third.id);
    // Both hold nothing; b has waited since the second case, a only since the third.
    t.clock.advance(1000);
    expect((await open('reconciliation_mismatch')).assigneeId).toBe(b.userId);
  });
});

describe('support team and acted-on cases', () => {
  it('keeps a case the member already answered when they go away', async () => {
    const s1 = await signUpStaff(t, ['support'], '客服甲');
    const s2 = await signUpStaff(t, ['support'], '客服乙');
    await createTeam({
      name: '客服组',
      kinds: ['support_chat'],
      mode: 'round_robin',
      memberIds: [s1.userId],
    });
    await setPresence(s1, 'online');
    const customer = await signUp(new ApiClient(t.url), { nickname: '顾客小林' });
    const started = await customer.api.post<{ id: number }>('/support/conversations', {
      subject: '咨询订单问题',
      message: '你好',
    });
    expect([200, 201]).toContain(started.status);
    const { case_id: caseId } = await t.db.read
      .selectFrom('support_conversations')
      .select('case_id')
      .where('id', '=', started.body.id)
      .executeTakeFirstOrThrow();
    if (caseId === null) throw new Error('the chat opened no case');
    expect(await assigneeOf(s1, caseId)).toBe(s1.userId);
    const detail = (await s1.api.get<CaseDetail>(`/ops/cases/${caseId}`)).body;
    const reply = await s1.api.post(`/ops/cases/${caseId}/perform/reply`, {
      version: detail.case.version,
      content: '您好，请讲',
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    // s2 is not in the team: nobody else could take it anyway, but acted-on cases never move.
    await setPresence(s2, 'online');
    const away = await setPresence(s1, 'away');
    expect(away.reassigned).toBe(0);
    expect(await assigneeOf(s1, caseId)).toBe(s1.userId);
  });

  it('shows my status and my teams, and a repeated status writes nothing', async () => {
    const s = await signUpStaff(t, ['support'], '客服丙');
    const first = await s.api.get<MyPresence>('/ops/me/presence');
    expect(first.body).toMatchObject({ status: 'away', changedAt: null, teams: [] });
    await setPresence(s, 'online');
    const before = await counts();
    await setPresence(s, 'online');
    expect(await counts()).toEqual(before);
    expect((await s.api.request('PUT', '/ops/me/presence', { status: 'busy' })).status).toBe(400);
  });
});
