import { STAFF_ROLES, type StaffRole } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../test/client';
import { seedCatalog, serviceBody } from '../test/factories/catalog';
import { type StaffMember, signUpStaff } from '../test/factories/staff';
import { startTestApp, type TestApp } from '../test/harness';

/**
 * The authorization matrix, written out by hand: for every operations route, the roles that may use it.
 * The test calls every registered ops route as every role and checks that exactly these cells get past
 * the permission check (anything but 401/403), that a marketplace user gets 403 and nobody signed in 401.
 * A new ops route without a row here fails the test.
 */
const M: StaffRole[] = ['moderator', 'admin'];
const F: StaffRole[] = ['finance', 'admin'];
const S: StaffRole[] = ['support', 'admin'];
const ALL: StaffRole[] = [...STAFF_ROLES];
const ADMIN: StaffRole[] = ['admin'];
const EXPECTED: Record<string, StaffRole[]> = {
  'GET /ops/cases': ALL,
  'GET /ops/cases/:id': ALL,
  'POST /ops/cases/:id/claim': ALL,
  'POST /ops/cases/:id/release': ALL,
  'POST /ops/cases/:id/assign': ALL,
  'POST /ops/cases/:id/perform/:action': ALL,
  'GET /ops/sync': ALL,
  'GET /ops/audit': ADMIN,
  'GET /ops/audit/verify': ADMIN,
  'GET /ops/settings': ALL,
  'PUT /ops/settings': ADMIN,
  'POST /ops/users/:id/sanctions': M,
  'POST /ops/sanctions/:id/revoke': M,
  'GET /ops/users/:id/sanctions': ALL,
  'POST /ops/payouts/batch-approve': F,
  'GET /ops/stats': [...M, ...F],
  'GET /ops/support/conversations/:caseId/messages': S,
  'POST /ops/support/conversations/:caseId/read': S,
  'GET /ops/support/unread': S,
  'GET /ops/support/previews': S,
  'GET /ops/canned-replies': S,
  'POST /ops/canned-replies': ADMIN,
  'PATCH /ops/canned-replies/:id': ADMIN,
  'DELETE /ops/canned-replies/:id': ADMIN,
  'GET /ops/users/:id/context': ALL,
  'POST /ops/users/:id/reveal': ADMIN,
  'GET /ops/customers/:id': ALL,
  'GET /ops/orders/:id': ALL,
  'GET /ops/ledger/transactions': F,
  'GET /ops/ledger/accounts': F,
  'GET /ops/staff': ADMIN,
  'GET /ops/staff/directory': ALL,
  'POST /ops/staff': ADMIN,
  'PUT /ops/staff/:id/roles': ADMIN,
  'POST /ops/staff/:id/disable': ADMIN,
  'POST /ops/staff/:id/enable': ADMIN,
  'GET /ops/teams': ADMIN,
  'POST /ops/teams': ADMIN,
  'PUT /ops/teams/:id': ADMIN,
  'GET /ops/me/presence': ALL,
  'GET /ops/team-views': ALL,
  'PUT /ops/team-views': ALL,
  'DELETE /ops/team-views/:id': ALL,
  'PUT /ops/me/presence': ALL,
};

let t: TestApp;
const staff = {} as Record<StaffRole, StaffMember>;
let user: ApiClient;
let anonymous: ApiClient;
let caseId: number;
let userId: number;

beforeAll(async () => {
  t = await startTestApp();
  for (const role of STAFF_ROLES) staff[role] = await signUpStaff(t, [role]);
  const member = await signUp(new ApiClient(t.url), { userType: 'both' });
  user = member.api;
  userId = member.userId;
  anonymous = new ApiClient(t.url);
  // A real case, so the case routes reach their body validation rather than stopping at 404.
  const { logo } = await seedCatalog(t);
  const listing = await user.post('/services', serviceBody(logo.id));
  expect(listing.status).toBe(201);
  caseId = (await t.db.read.selectFrom('cases').select('id').executeTakeFirstOrThrow()).id;
});
afterAll(() => t?.close());

/** A concrete path for a route pattern: ids that exist nowhere, a plausible action name. */
function concrete(path: string): string {
  return path.replace(/:action/g, 'approve').replace(/:[a-zA-Z]+/g, '999999');
}

async function call(api: ApiClient, route: string) {
  const [method, path] = route.split(' ') as [string, string];
  return api.request(method, concrete(path), method === 'GET' || method === 'DELETE' ? undefined : {});
}

/** Rows of every table an ops route can write; a refused request must leave all of them unchanged. */
async function footprint(): Promise<Record<string, number>> {
  const tables = [
    'cases',
    'case_history',
    'audit_log',
    'events',
    'sanctions',
    'reports',
    'payouts',
    'payout_approvals',
    'canned_replies',
    'support_messages',
    'ops_settings',
    'ledger_journals',
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.db.read);
    out[table] = r.rows[0]!.n;
  }
  const version = await t.db.read
    .selectFrom('cases')
    .select('version')
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  out['case version'] = version.version;
  return out;
}

describe('bad input on every ops route', () => {
  it('every write route refuses malformed bodies with a 4xx problem naming the problem, and writes nothing', async () => {
    const before = await footprint();
    const bad: unknown[] = [{ bogus: true }, { version: 'x', amountFen: -1, note: 42 }, [], 'null'];
    const wrong: string[] = [];
    for (const route of Object.keys(EXPECTED)) {
      const [method, pattern] = route.split(' ') as [string, string];
      if (method === 'GET') continue;
      const path = pattern
        .replace(':action', 'approve')
        .replace('/cases/:id', `/cases/${caseId}`)
        .replace('/users/:id', `/users/${userId}`)
        .replace(':caseId', String(caseId))
        .replace(/:[a-zA-Z]+/g, '999999');
      for (const body of bad) {
        const res = await staff.admin.api.request(method, path, body, { 'content-type': 'application/json' });
        const isProblem =
          res.status >= 400 &&
          res.status < 500 &&
          (res.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
          typeof (res.body as { code?: unknown })?.code === 'string';
        if (!isProblem)
          wrong.push(
            `${route} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 100)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
    expect(await footprint()).toEqual(before);
  });

  it('list routes refuse bad filters by name', async () => {
    for (const path of [
      '/ops/cases?limit=0',
      '/ops/cases?sort=sideways',
      '/ops/cases?assignee=someone',
      '/ops/sync?after=-1',
      '/ops/audit?action=DROP%20TABLE',
      '/ops/stats?from=yesterday&to=today&bucket=week',
    ]) {
      const res = await staff.admin.api.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.errors?.length, path).toBeGreaterThan(0);
    }
  });
});

describe('ops authorization matrix', () => {
  it('every ops route has a row in the matrix, and every row is a real route', () => {
    const registered = [...new Set(t.app.opsRoutes)].sort();
    expect(registered.filter((r) => !(r in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !registered.includes(r))).toEqual([]);
  });

  it('exactly the designed cells get past the permission check', async () => {
    const wrong: string[] = [];
    for (const route of Object.keys(EXPECTED)) {
      for (const role of STAFF_ROLES) {
        const res = await call(staff[role].api, route);
        const allowed = res.status !== 403 && res.status !== 401;
        if (allowed !== EXPECTED[route]!.includes(role))
          wrong.push(`${role} ${route} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
      const asUser = await call(user, route);
      if (asUser.status !== 403) wrong.push(`marketplace user ${route} → ${asUser.status}`);
      const asNobody = await call(anonymous, route);
      if (asNobody.status !== 401) wrong.push(`anonymous ${route} → ${asNobody.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
