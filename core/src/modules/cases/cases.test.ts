import type { CaseDetail, CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { type StaffMember, signUpStaff, signUpStaffTeam } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: ApiClient;
let categoryId: number;

/** A freelancer submits a listing; the listing_review case it opens. */
async function submitListing(title = '品牌LOGO设计'): Promise<CaseSummary> {
  const res = await freelancer.post('/services', serviceBody(categoryId, { titleZh: title }));
  expect(res.status).toBe(201);
  const list = await team.moderator.api.get(`/ops/cases?kind=listing_review&q=${encodeURIComponent(title)}`);
  expect(list.status).toBe(200);
  const found = list.body.items.find((c: CaseSummary) => c.subjectId === res.body.id);
  expect(found).toBeTruthy();
  return found;
}

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  freelancer = (await signUp(new ApiClient(t.url), { userType: 'freelancer' })).api;
  categoryId = (await seedCatalog(t)).logo.id;
});
afterAll(() => t?.close());

describe('cases', () => {
  it('a submitted listing opens a review case with an SLA deadline; moderators see it, support does not', async () => {
    const c = await submitListing('海报设计审核');
    expect(c).toMatchObject({
      kind: 'listing_review',
      status: 'open',
      stage: 'submitted',
      assigneeId: null,
      version: 1,
    });
    expect(new Date(c.slaDueAt!).getTime() - new Date(c.createdAt).getTime()).toBe(24 * 3600_000);
    const asSupport = await team.support.api.get(`/ops/cases/${c.id}`);
    expect(asSupport.status).toBe(404);
    const supportList = await team.support.api.get('/ops/cases?kind=listing_review');
    expect(supportList.body.items).toEqual([]);
  });

  it('claim is exclusive: a second moderator gets 409 naming the holder, a stale version gets 409', async () => {
    const c = await submitListing('独占认领测试');
    const other = await signUpOtherModerator();
    const claimed = await team.moderator.api.post(`/ops/cases/${c.id}/claim`, { version: 1 });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ assigneeId: team.moderator.userId, version: 2 });

    const stolen = await other.api.post(`/ops/cases/${c.id}/claim`, { version: 2 });
    expect(stolen.status).toBe(409);
    expect(stolen.body).toMatchObject({
      code: 'case_claimed_by_other',
      assigneeId: team.moderator.userId,
      currentVersion: 2,
    });

    const stale = await team.moderator.api.post(`/ops/cases/${c.id}/release`, { version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'case_version_conflict', currentVersion: 2 });

    const blocked = await other.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 2 });
    expect(blocked.status).toBe(409);
    const after = await team.moderator.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(after.body.case.version).toBe(2);
    expect(after.body.history.map((h) => h.action)).toEqual(['opened', 'claimed']);
  });

  it('transfer hands the case over; the new holder approves it and the listing is published', async () => {
    const c = await submitListing('转交审核测试');
    const other = await signUpOtherModerator();
    await team.moderator.api.post(`/ops/cases/${c.id}/claim`, { version: 1 });
    const bad = await team.moderator.api.post(`/ops/cases/${c.id}/assign`, {
      version: 2,
      assigneeId: team.finance.userId,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('assignee_not_eligible');
    // A disabled moderator keeps the role but cannot be handed work (the staff directory omits them too).
    const leaver = await signUpStaff(t, ['moderator'], '审核已离职');
    await t.db.write
      .updateTable('users')
      .set({ staff_disabled_at: new Date() })
      .where('id', '=', leaver.userId)
      .execute();
    const toLeaver = await team.moderator.api.post(`/ops/cases/${c.id}/assign`, {
      version: 2,
      assigneeId: leaver.userId,
    });
    expect(toLeaver.status).toBe(400);
    expect(toLeaver.body.code).toBe('assignee_not_eligible');
    const moved = await team.moderator.api.post(`/ops/cases/${c.id}/assign`, {
      version: 2,
      assigneeId: other.userId,
      note: '交给你',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.assigneeId).toBe(other.userId);

    const detail = await other.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(detail.body.actions.find((a) => a.action === 'approve')).toMatchObject({ available: true });
    const done = await other.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 3 });
    expect(done.status).toBe(200);
    expect(done.body.case).toMatchObject({
      status: 'resolved',
      outcome: 'approved',
      assigneeId: null,
      version: 4,
    });
    const listing = await t.db.read
      .selectFrom('services')
      .select('status')
      .where('id', '=', c.subjectId)
      .executeTakeFirstOrThrow();
    expect(listing.status).toBe('published');
    const again = await other.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 4 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('case_action_unavailable');
  });

  it('an admin may take a case back from whoever holds it; others see why they cannot release it', async () => {
    const c = await submitListing('管理员收回测试');
    const other = await signUpOtherModerator();
    expect((await team.moderator.api.post(`/ops/cases/${c.id}/claim`, { version: 1 })).status).toBe(200);
    const asOther = await other.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(asOther.body.actions.find((a) => a.action === 'release')).toMatchObject({ available: false });
    const asAdmin = await team.admin.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(asAdmin.body.actions.find((a) => a.action === 'release')).toMatchObject({ available: true });
    const back = await team.admin.api.post(`/ops/cases/${c.id}/release`, { version: 2, note: '人员调整' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ assigneeId: null, version: 3 });
  });

  it('50 simultaneous approvals of one case: exactly one succeeds, the rest get 409, one history line', async () => {
    const c = await submitListing('并发审核测试');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const detail = await team.moderator.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(detail.body.history.filter((h) => h.action === 'approve')).toHaveLength(1);
  });

  it('an action resent with its Idempotency-Key after a lost answer gets the first answer, applied once', async () => {
    const c = await submitListing('离线重放审核');
    const key = { 'Idempotency-Key': 'console-outbox-0001' };
    const first = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 1 }, key);
    expect(first.status).toBe(200);
    // The console never saw that answer and sends the same action again: no 409 for the moved-on version.
    const again = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 1 }, key);
    expect(again.status).toBe(200);
    expect(again.body.case).toEqual(first.body.case);
    // Without the key the same stale action is refused as before.
    const plain = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 1 });
    expect(plain.status).toBe(409);
    // The same key for a different request is refused rather than answered with the wrong result.
    const reused = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, { version: 2 }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const detail = await team.moderator.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(detail.body.history.filter((h) => h.action === 'approve')).toHaveLength(1);
    // Claim takes the key too: a resent claim is answered, not refused as stale.
    const d = await submitListing('离线重放认领');
    const claimKey = { 'Idempotency-Key': 'console-outbox-0002' };
    const claimed = await team.moderator.api.post(`/ops/cases/${d.id}/claim`, { version: 1 }, claimKey);
    const reclaimed = await team.moderator.api.post(`/ops/cases/${d.id}/claim`, { version: 1 }, claimKey);
    expect([claimed.status, reclaimed.status]).toEqual([200, 200]);
    expect(reclaimed.body.version).toBe(claimed.body.version);
  });

  it('bad input names the field and changes nothing', async () => {
    const c = await submitListing('坏输入测试');
    for (const body of [{}, { version: 'x' }, { version: 0 }]) {
      const r = await team.moderator.api.post(`/ops/cases/${c.id}/claim`, body);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body.errors)).toContain('version');
    }
    const extra = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve`, {
      version: 1,
      bogus: true,
    });
    expect(extra.status).toBe(400);
    const unknown = await team.moderator.api.post(`/ops/cases/${c.id}/perform/launch_rocket`, { version: 1 });
    expect(unknown.status).toBe(404);
    const badList = await team.moderator.api.get('/ops/cases?kind=nonsense');
    expect(badList.status).toBe(400);
    const badCursor = await team.moderator.api.get('/ops/cases?cursor=zzz');
    expect(badCursor.status).toBe(400);
    const detail = await team.moderator.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(detail.body.case.version).toBe(1);
  });

  it('marketplace users and anonymous callers cannot reach the ops API', async () => {
    expect((await freelancer.get('/ops/cases')).status).toBe(403);
    expect((await new ApiClient(t.url).get('/ops/cases')).status).toBe(401);
    expect((await freelancer.get('/ops/sync')).status).toBe(403);
  });

  it('pages the queue by SLA with cursors, without repeats or gaps', async () => {
    for (let i = 0; i < 5; i += 1) await submitListing(`分页测试${i}`);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = `/ops/cases?kind=listing_review&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await team.moderator.api.get(qs);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: CaseSummary) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await t.db.read
      .selectFrom('cases')
      .select('id')
      .where('kind', '=', 'listing_review')
      .execute();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.map((r) => r.id).sort());
  });

  it('sync: after=0 is a snapshot of the latest state of each case; after=n returns only later changes', async () => {
    const c = await submitListing('同步测试');
    await eventually(async () => {
      const snap = await syncAll(team.moderator, 0);
      const mine = snap.changes.filter((ch) => ch.op === 'upsert' && ch.case.id === c.id);
      return mine.length === 1 ? true : undefined;
    });
    const head = (await syncAll(team.moderator, 0)).nextSeq;
    await team.moderator.api.post(`/ops/cases/${c.id}/claim`, { version: 1 });
    const delta = await eventually(async () => {
      const d = await syncAll(team.moderator, head);
      return d.changes.length ? d : undefined;
    });
    expect(delta.changes).toEqual([
      expect.objectContaining({ op: 'upsert', case: expect.objectContaining({ id: c.id, version: 2 }) }),
    ]);
    const supportSnap = await syncAll(team.support, 0);
    expect(
      supportSnap.changes.filter((ch) => ch.op === 'upsert' && ch.case.kind === 'listing_review'),
    ).toEqual([]);
  });

  it('every claim and decision is in the audit log and the chain verifies', async () => {
    const audit = await team.admin.api.get('/ops/audit?action=case.*&limit=200');
    expect(audit.status).toBe(200);
    expect(audit.body.items.some((e: { action: string }) => e.action === 'case.perform.approve')).toBe(true);
    const verify = await team.admin.api.get('/ops/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, firstBrokenId: null });
    expect(verify.body.checked).toBeGreaterThan(3);
    expect((await team.moderator.api.get('/ops/audit')).status).toBe(403);
  });
});

async function syncAll(staff: StaffMember, after: number): Promise<OpsSyncResponse> {
  const changes: OpsSyncResponse['changes'] = [];
  let cursor = after;
  for (;;) {
    const r = await staff.api.get<OpsSyncResponse>(`/ops/sync?after=${cursor}&limit=2`);
    expect(r.status).toBe(200);
    changes.push(...r.body.changes);
    cursor = r.body.nextSeq;
    if (!r.body.hasMore) return { ...r.body, changes };
  }
}

let extraModerator: StaffMember | undefined;
async function signUpOtherModerator(): Promise<StaffMember> {
  extraModerator ??= await signUpStaff(t, ['moderator'], '审核小刘');
  return extraModerator;
}
