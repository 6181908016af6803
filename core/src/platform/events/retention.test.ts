import type { CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { connectOps, headSeq, unsequenced } from '../realtime/ops-test-kit';
import { archiveOldEvents } from './retention';

/**
 * Event retention on the backend under test: old events leave the hot table for the archive, the newest
 * event of every case and the newest event overall stay, nothing is lost, the hot table stays bounded
 * however often a case changes, and a console whose cursor predates the archive is told to resync and
 * converges through /ops/sync to exactly what a fresh console sees.
 */
let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: ApiClient;
let categoryId: number;

const settled = () => eventually(async () => (await unsequenced(t.db)) === 0);
const submitListing = async (title: string) => {
  const res = await freelancer.post('/services', serviceBody(categoryId, { titleZh: title }));
  expect(res.status).toBe(201);
  await settled();
  const c = await sql<{ id: number; version: number }>`
    SELECT id, version FROM cases WHERE kind = 'listing_review' AND subject_id = ${res.body.id}`.execute(
    t.db.write,
  );
  return { caseId: Number(c.rows[0]!.id), version: Number(c.rows[0]!.version) };
};
/** Everything this many days older, as if it had happened then. */
const age = (days: number) =>
  sql`UPDATE events SET created_at = created_at - make_interval(days => ${days})`.execute(t.db.write);
const count = async (table: 'events' | 'events_archive') =>
  Number(
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.db.write))
      .rows[0]!.n,
  );

/** A console's view of the cases: GET /ops/sync from `after` to the end, applied on `into`. */
async function syncFrom(after: number, into = new Map<number, CaseSummary>()) {
  let cursor = after;
  for (;;) {
    const res = await team.moderator.api.get<OpsSyncResponse>(`/ops/sync?after=${cursor}&limit=7`);
    expect(res.status).toBe(200);
    for (const ch of res.body.changes) {
      if (ch.op === 'upsert') into.set(ch.case.id, ch.case);
      else into.delete(ch.caseId);
    }
    cursor = res.body.nextSeq;
    if (!res.body.hasMore) return { cases: into, headSeq: res.body.headSeq };
  }
}
const sorted = (m: Map<number, CaseSummary>) => [...m.entries()].sort((a, b) => a[0] - b[0]);

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  freelancer = (await signUp(new ApiClient(t.url), { userType: 'freelancer' })).api;
  categoryId = (await seedCatalog(t)).logo.id;
});
afterAll(() => t?.close());

describe('event retention', () => {
  it('archives old events but keeps each case’s newest; an old console resyncs and converges', async () => {
    // A console that synced once, long ago.
    await settled();
    const old = await syncFrom(0);
    const cursor = old.headSeq;

    // Three listings to review; one is claimed and released (three versions of its case).
    const a = await submitListing('保留测试一');
    await submitListing('保留测试二');
    await submitListing('保留测试三');
    const claim = await team.moderator.api.post(`/ops/cases/${a.caseId}/claim`, { version: a.version });
    expect(claim.status).toBe(200);
    const release = await team.moderator.api.post(`/ops/cases/${a.caseId}/release`, {
      version: claim.body.version,
    });
    expect(release.status).toBe(200);
    await settled();
    // All of that happened 40 days ago; one listing arrives today.
    await age(40);
    await submitListing('今天的');
    const head = await headSeq(t.db);
    const before = await syncFrom(0);
    const total = await count('events');

    const run = await archiveOldEvents(t.ctx);
    expect(run.archived).toBeGreaterThan(0);
    expect(run.archivedThrough).toBeGreaterThan(cursor);
    expect(run.archivedThrough).toBeLessThan(head);

    // Nothing lost: every event is in exactly one of the two tables, the archive only old ones.
    expect((await count('events')) + (await count('events_archive'))).toBe(total);
    const both = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM events e JOIN events_archive a USING (seq)`.execute(t.db.write);
    expect(both.rows[0]!.n).toBe(0);
    const young = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM events_archive WHERE created_at > now() - interval '30 days'`.execute(
      t.db.write,
    );
    expect(young.rows[0]!.n).toBe(0);
    // The newest event overall is still there (the sequencer numbers after it), and so is today's.
    expect(await headSeq(t.db)).toBe(head);
    // Every case still has its newest event in the hot table; the claimed case's older two are archived.
    const orphans = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM cases c WHERE NOT EXISTS (
        SELECT 1 FROM events e WHERE e.aggregate_type = 'case' AND e.aggregate_id = c.id)`.execute(
      t.db.write,
    );
    expect(orphans.rows[0]!.n).toBe(0);
    const versions = async (table: 'events' | 'events_archive') =>
      (
        await sql<{ v: number }>`
          SELECT (payload->>'version')::int AS v FROM ${sql.table(table)}
          WHERE aggregate_type = 'case' AND aggregate_id = ${a.caseId} ORDER BY seq`.execute(t.db.write)
      ).rows.map((r) => r.v);
    expect(await versions('events')).toEqual([3]);
    expect(await versions('events_archive')).toEqual([1, 2]);

    // A fresh console's snapshot is what it was before the archive.
    expect(sorted((await syncFrom(0)).cases)).toEqual(sorted(before.cases));
    // The old console reconnects from its cursor: the stream cannot replay archived events, so it says
    // resync; /ops/sync from the same cursor brings the console to the same state.
    const stale = connectOps(t.url, { token: team.moderator.api.token!, lastSeq: cursor });
    expect(await stale.ready).toEqual({ seq: head, replayed: 0 });
    expect(stale.resyncs).toEqual([{ reason: 'events_archived', after: cursor, headSeq: head }]);
    stale.close();
    const caughtUp = await syncFrom(cursor, new Map(old.cases));
    expect(sorted(caughtUp.cases)).toEqual(sorted(before.cases));
    // A console at or above the mark replays as before.
    const recent = connectOps(t.url, { token: team.moderator.api.token!, lastSeq: run.archivedThrough });
    expect((await recent.ready).replayed).toBeGreaterThan(0);
    expect(recent.resyncs).toEqual([]);
    recent.close();

    // Nothing more to do until more events age.
    expect((await archiveOldEvents(t.ctx)).archived).toBe(0);
  });

  it('keeps the hot table bounded however often a case changes', async () => {
    const c = await submitListing('反复认领');
    let version = c.version;
    const sizes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        const claimed = await team.moderator.api.post(`/ops/cases/${c.caseId}/claim`, { version });
        expect(claimed.status).toBe(200);
        const released = await team.moderator.api.post(`/ops/cases/${c.caseId}/release`, {
          version: claimed.body.version,
        });
        expect(released.status).toBe(200);
        version = released.body.version;
      }
      await settled();
      await age(40);
      await archiveOldEvents(t.ctx, { batch: 4 });
      sizes.push(await count('events'));
    }
    // Ten more events per round, and the hot table the same size after each: the case's newest event,
    // every other case's newest, and the newest event overall.
    expect(sizes[0]).toBeGreaterThan(0);
    expect(new Set(sizes).size).toBe(1);
    const mine = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM events WHERE aggregate_type = 'case' AND aggregate_id = ${c.caseId}`.execute(
      t.db.write,
    );
    expect(mine.rows[0]!.n).toBe(1);
  });

  it('keeps everything when EVENT_RETENTION_DAYS is 0', async () => {
    const all = await count('events');
    await age(400);
    const run = await archiveOldEvents({ ...t.ctx, env: { ...t.ctx.env, EVENT_RETENTION_DAYS: 0 } });
    expect(run.archived).toBe(0);
    expect(await count('events')).toBe(all);
  });
});
