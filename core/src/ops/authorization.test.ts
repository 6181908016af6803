import { STAFF_ROLES, type StaffRole } from '@jiangxin/shared/permissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../test/client';
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
  'GET /ops/canned-replies': S,
  'POST /ops/canned-replies': ADMIN,
  'PATCH /ops/canned-replies/:id': ADMIN,
  'DELETE /ops/canned-replies/:id': ADMIN,
  'GET /ops/users/:id/context': ALL,
  'POST /ops/users/:id/reveal': ADMIN,
};

let t: TestApp;
const staff = {} as Record<StaffRole, StaffMember>;
let user: ApiClient;
let anonymous: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  for (const role of STAFF_ROLES) staff[role] = await signUpStaff(t, [role]);
  user = (await signUp(new ApiClient(t.url), { userType: 'both' })).api;
  anonymous = new ApiClient(t.url);
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
