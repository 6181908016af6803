import type { Answer, JiangxinClient, operations } from '@jiangxin/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, pathId, signUp, typed } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { type StaffMember, signUpStaff, signUpStaffTeam } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';

/**
 * The ops case API: claims, transfers, decisions, idempotent resends, paging and sync. The calls go
 * through the typed API client generated from the core's OpenAPI document, so every field read here is
 * one the document promises.
 */
type CaseSummary = Answer<'/api/v1/ops/cases', 'get'>['items'][number];
type OpsSyncResponse = Answer<'/api/v1/ops/sync', 'get'>;
type ApiQuery = NonNullable<operations['listCases']['parameters']['query']>;

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: JiangxinClient;
let categoryId: number;
/** The team's members through the typed client. */
let moderator: JiangxinClient;
let support: JiangxinClient;
let admin: JiangxinClient;

/** A freelancer submits a listing; the listing_review case it opens. */
async function submitListing(title = '品牌LOGO设计'): Promise<CaseSummary> {
  const res = await freelancer.POST('/api/v1/services', {
    body: serviceBody(categoryId, { titleZh: title }),
  });
  expect(res.response.status).toBe(201);
  const list = await moderator.GET('/api/v1/ops/cases', {
    params: { query: { kind: ['listing_review'], q: title } },
  });
  expect(list.response.status).toBe(200);
  const found = list.data?.items.find((c) => c.subjectId === res.data?.id);
  expect(found).toBeTruthy();
  return found!;
}

/** `params.path` of a case action (`/ops/cases/{id}/perform/{action}`). */
const perform = (id: number, action: string) => ({ path: { id: String(id), action } });

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  freelancer = typed((await signUp(new ApiClient(t.url), { userType: 'freelancer' })).api);
  categoryId = (await seedCatalog(t)).logo.id;
  moderator = typed(team.moderator.api);
  support = typed(team.support.api);
  admin = typed(team.admin.api);
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
    const asSupport = await support.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(asSupport.response.status).toBe(404);
    const supportList = await support.GET('/api/v1/ops/cases', {
      params: { query: { kind: ['listing_review'] } },
    });
    expect(supportList.data?.items).toEqual([]);
  });

  it('claim is exclusive: a second moderator gets 409 naming the holder, a stale version gets 409', async () => {
    const c = await submitListing('独占认领测试');
    const other = typed((await signUpOtherModerator()).api);
    const claimed = await moderator.POST('/api/v1/ops/cases/{id}/claim', {
      params: pathId(c.id),
      body: { version: 1 },
    });
    expect(claimed.response.status).toBe(200);
    expect(claimed.data).toMatchObject({ assigneeId: team.moderator.userId, version: 2 });

    const stolen = await other.POST('/api/v1/ops/cases/{id}/claim', {
      params: pathId(c.id),
      body: { version: 2 },
    });
    expect(stolen.response.status).toBe(409);
    expect(stolen.error).toMatchObject({
      code: 'case_claimed_by_other',
      assigneeId: team.moderator.userId,
      currentVersion: 2,
    });

    const stale = await moderator.POST('/api/v1/ops/cases/{id}/release', {
      params: pathId(c.id),
      body: { version: 1 },
    });
    expect(stale.response.status).toBe(409);
    expect(stale.error).toMatchObject({ code: 'case_version_conflict', currentVersion: 2 });

    const blocked = await other.POST('/api/v1/ops/cases/{id}/perform/{action}', {
      params: perform(c.id, 'approve'),
      body: { version: 2 },
    });
    expect(blocked.response.status).toBe(409);
    const after = await moderator.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(after.data?.case.version).toBe(2);
    expect(after.data?.history.map((h) => h.action)).toEqual(['opened', 'claimed']);
  });

  it('transfer hands the case over; the new holder approves it and the listing is published', async () => {
    const c = await submitListing('转交审核测试');
    const otherMember = await signUpOtherModerator();
    const other = typed(otherMember.api);
    await moderator.POST('/api/v1/ops/cases/{id}/claim', { params: pathId(c.id), body: { version: 1 } });
    const bad = await moderator.POST('/api/v1/ops/cases/{id}/assign', {
      params: pathId(c.id),
      body: { version: 2, assigneeId: team.finance.userId },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.code).toBe('assignee_not_eligible');
    // A disabled moderator keeps the role but cannot be handed work (the staff directory omits them too).
    const leaver = await signUpStaff(t, ['moderator'], '审核已离职');
    await t.db.write
      .updateTable('users')
      .set({ staff_disabled_at: new Date() })
      .where('id', '=', leaver.userId)
      .execute();
    const toLeaver = await moderator.POST('/api/v1/ops/cases/{id}/assign', {
      params: pathId(c.id),
      body: { version: 2, assigneeId: leaver.userId },
    });
    expect(toLeaver.response.status).toBe(400);
    expect(toLeaver.error?.code).toBe('assignee_not_eligible');
    const moved = await moderator.POST('/api/v1/ops/cases/{id}/assign', {
      params: pathId(c.id),
      body: { version: 2, assigneeId: otherMember.userId, note: '交给你' },
    });
    expect(moved.response.status).toBe(200);
    expect(moved.data?.assigneeId).toBe(otherMember.userId);

    const detail = await other.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(detail.data?.actions.find((a) => a.action === 'approve')).toMatchObject({ available: true });
    const done = await other.POST('/api/v1/ops/cases/{id}/perform/{action}', {
      params: perform(c.id, 'approve'),
      body: { version: 3 },
    });
    expect(done.response.status).toBe(200);
    expect(done.data?.case).toMatchObject({
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
    const again = await other.POST('/api/v1/ops/cases/{id}/perform/{action}', {
      params: perform(c.id, 'approve'),
      body: { version: 4 },
    });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe('case_action_unavailable');
  });

  it('an admin may take a case back from whoever holds it; others see why they cannot release it', async () => {
    const c = await submitListing('管理员收回测试');
    const other = typed((await signUpOtherModerator()).api);
    expect(
      (await moderator.POST('/api/v1/ops/cases/{id}/claim', { params: pathId(c.id), body: { version: 1 } }))
        .response.status,
    ).toBe(200);
    const asOther = await other.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(asOther.data?.actions.find((a) => a.action === 'release')).toMatchObject({ available: false });
    const asAdmin = await admin.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(asAdmin.data?.actions.find((a) => a.action === 'release')).toMatchObject({ available: true });
    const back = await admin.POST('/api/v1/ops/cases/{id}/release', {
      params: pathId(c.id),
      body: { version: 2, note: '人员调整' },
    });
    expect(back.response.status).toBe(200);
    expect(back.data).toMatchObject({ assigneeId: null, version: 3 });
  });

  it('50 simultaneous approvals of one case: exactly one succeeds, the rest get 409, one history line', async () => {
    const c = await submitListing('并发审核测试');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        moderator.POST('/api/v1/ops/cases/{id}/perform/{action}', {
          params: perform(c.id, 'approve'),
          body: { version: 1 },
        }),
      ),
    );
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.response.status === 409)).toHaveLength(49);
    const detail = await moderator.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(detail.data?.history.filter((h) => h.action === 'approve')).toHaveLength(1);
  });

  it('an action resent with its Idempotency-Key after a lost answer gets the first answer, applied once', async () => {
    const c = await submitListing('离线重放审核');
    const key = { 'Idempotency-Key': 'console-outbox-0001' };
    const approve = (version: number, headers?: Record<string, string>) =>
      moderator.POST('/api/v1/ops/cases/{id}/perform/{action}', {
        params: perform(c.id, 'approve'),
        body: { version },
        ...(headers ? { headers } : {}),
      });
    const first = await approve(1, key);
    expect(first.response.status).toBe(200);
    // The console never saw that answer and sends the same action again: no 409 for the moved-on version.
    const again = await approve(1, key);
    expect(again.response.status).toBe(200);
    expect(again.data?.case).toEqual(first.data?.case);
    // Without the key the same stale action is refused as before.
    const plain = await approve(1);
    expect(plain.response.status).toBe(409);
    // The same key for a different request is refused rather than answered with the wrong result.
    const reused = await approve(2, key);
    expect(reused.response.status).toBe(422);
    expect(reused.error?.code).toBe('idempotency_key_reused');
    const detail = await moderator.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(detail.data?.history.filter((h) => h.action === 'approve')).toHaveLength(1);
    // Claim takes the key too: a resent claim is answered, not refused as stale.
    const d = await submitListing('离线重放认领');
    const claimKey = { 'Idempotency-Key': 'console-outbox-0002' };
    const claim = () =>
      moderator.POST('/api/v1/ops/cases/{id}/claim', {
        params: pathId(d.id),
        body: { version: 1 },
        headers: claimKey,
      });
    const claimed = await claim();
    const reclaimed = await claim();
    expect([claimed.response.status, reclaimed.response.status]).toEqual([200, 200]);
    expect(reclaimed.data?.version).toBe(claimed.data?.version);
  });

  it('bad input names the field and changes nothing', async () => {
    const c = await submitListing('坏输入测试');
    // Bodies and parameters the document forbids, on purpose: the casts let the typed client send them.
    for (const body of [{}, { version: 'x' }, { version: 0 }]) {
      const r = await moderator.POST('/api/v1/ops/cases/{id}/claim', {
        params: pathId(c.id),
        body: body as never,
      });
      expect(r.response.status).toBe(400);
      expect(JSON.stringify(r.error?.errors)).toContain('version');
    }
    const extra = await moderator.POST('/api/v1/ops/cases/{id}/perform/{action}', {
      params: perform(c.id, 'approve'),
      body: { version: 1, bogus: true } as never,
    });
    expect(extra.response.status).toBe(400);
    const unknown = await moderator.POST('/api/v1/ops/cases/{id}/perform/{action}', {
      params: perform(c.id, 'launch_rocket'),
      body: { version: 1 },
    });
    expect(unknown.response.status).toBe(404);
    const badList = await moderator.GET('/api/v1/ops/cases', {
      params: { query: { kind: ['nonsense'] as never } },
    });
    expect(badList.response.status).toBe(400);
    const badCursor = await moderator.GET('/api/v1/ops/cases', { params: { query: { cursor: 'zzz' } } });
    expect(badCursor.response.status).toBe(400);
    const detail = await moderator.GET('/api/v1/ops/cases/{id}', { params: pathId(c.id) });
    expect(detail.data?.case.version).toBe(1);
  });

  it('marketplace users and anonymous callers cannot reach the ops API', async () => {
    expect((await freelancer.GET('/api/v1/ops/cases')).response.status).toBe(403);
    expect((await typed(new ApiClient(t.url)).GET('/api/v1/ops/cases')).response.status).toBe(401);
    expect((await freelancer.GET('/api/v1/ops/sync')).response.status).toBe(403);
  });

  it('pages the queue by SLA with cursors, without repeats or gaps', async () => {
    for (let i = 0; i < 5; i += 1) await submitListing(`分页测试${i}`);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: ApiQuery = { kind: ['listing_review'], limit: '3', ...(cursor ? { cursor } : {}) };
      const page = await moderator.GET('/api/v1/ops/cases', { params: { query } });
      expect(page.response.status).toBe(200);
      const items: CaseSummary[] = page.data?.items ?? [];
      seen.push(...items.map((c) => c.id));
      const next: string | null = page.data?.nextCursor ?? null;
      cursor = next;
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
      const snap = await syncAll(moderator, 0);
      const mine = snap.changes.filter((ch) => ch.op === 'upsert' && ch.case.id === c.id);
      return mine.length === 1 ? true : undefined;
    });
    const head = (await syncAll(moderator, 0)).nextSeq;
    await moderator.POST('/api/v1/ops/cases/{id}/claim', { params: pathId(c.id), body: { version: 1 } });
    const delta = await eventually(async () => {
      const d = await syncAll(moderator, head);
      return d.changes.length ? d : undefined;
    });
    expect(delta.changes).toEqual([
      expect.objectContaining({ op: 'upsert', case: expect.objectContaining({ id: c.id, version: 2 }) }),
    ]);
    const supportSnap = await syncAll(support, 0);
    expect(
      supportSnap.changes.filter((ch) => ch.op === 'upsert' && ch.case.kind === 'listing_review'),
    ).toEqual([]);
  });

  it('every claim and decision is in the audit log and the chain verifies', async () => {
    const audit = await admin.GET('/api/v1/ops/audit', {
      params: { query: { action: 'case.*', limit: '200' } },
    });
    expect(audit.response.status).toBe(200);
    expect(audit.data?.items.some((e) => e.action === 'case.perform.approve')).toBe(true);
    const verify = await admin.GET('/api/v1/ops/audit/verify');
    expect(verify.data).toMatchObject({ ok: true, firstBrokenId: null });
    expect(verify.data?.checked).toBeGreaterThan(3);
    expect((await moderator.GET('/api/v1/ops/audit')).response.status).toBe(403);
  });
});

async function syncAll(staff: JiangxinClient, after: number): Promise<OpsSyncResponse> {
  const changes: OpsSyncResponse['changes'] = [];
  let cursor = after;
  for (;;) {
    const r = await staff.GET('/api/v1/ops/sync', {
      params: { query: { after: String(cursor), limit: '2' } },
    });
    expect(r.response.status).toBe(200);
    const page = r.data!;
    changes.push(...page.changes);
    cursor = page.nextSeq;
    if (!page.hasMore) return { ...page, changes };
  }
}

let extraModerator: StaffMember | undefined;
async function signUpOtherModerator(): Promise<StaffMember> {
  extraModerator ??= await signUpStaff(t, ['moderator'], '审核小刘');
  return extraModerator;
}
