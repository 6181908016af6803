import { describe, expect, it } from 'vitest';
import { CASE_KINDS, CASE_VIEW_PERMISSION } from '../ops/cases';
import { permissionsOf, STAFF_ROLES } from '../permissions';
import { homeWorkspace, resolveRoute, WORKSPACE_GROUPS, WORKSPACES, workspacesFor } from './workspaces';

const ids = (role: (typeof STAFF_ROLES)[number]) => workspacesFor(permissionsOf([role])).map((w) => w.id);

describe('console workspaces', () => {
  it('each role sees exactly the workspaces its permissions open', () => {
    expect(ids('moderator')).toEqual(['listings', 'reports', 'disputes', 'dashboard']);
    expect(ids('finance')).toEqual(['disputes', 'payouts', 'reconciliation', 'ledger', 'dashboard']);
    expect(ids('support')).toEqual(['disputes', 'chats']);
    expect(ids('admin')).toEqual(WORKSPACES.map((w) => w.id));
    // The dashboards are everyone's overview, not a finance screen a moderator wanders into.
    const groups = (role: (typeof STAFF_ROLES)[number]) =>
      workspacesFor(permissionsOf([role])).map((w) => w.group);
    expect(new Set(groups('moderator'))).toEqual(new Set(['moderation', 'overview']));
    for (const g of Object.keys(WORKSPACE_GROUPS))
      expect(
        WORKSPACES.some((w) => w.group === g),
        g,
      ).toBe(true);
  });

  it('lands each role on the first queue it may act on', () => {
    const home = (role: (typeof STAFF_ROLES)[number]) =>
      homeWorkspace(workspacesFor(permissionsOf([role])), permissionsOf([role]))?.id;
    expect(STAFF_ROLES.map(home)).toEqual(['listings', 'payouts', 'chats', 'listings']);
    expect(homeWorkspace([], [])).toBeNull();
  });

  it('every case kind has a queue, guarded by the kind’s view permission; ids and paths are unique', () => {
    for (const kind of CASE_KINDS) {
      const queues = WORKSPACES.filter((w) => w.caseKinds?.includes(kind));
      expect(queues, kind).toHaveLength(1);
      expect(queues[0]!.permission).toBe(CASE_VIEW_PERMISSION[kind]);
    }
    expect(new Set(WORKSPACES.map((w) => w.id)).size).toBe(WORKSPACES.length);
    expect(new Set(WORKSPACES.map((w) => w.path)).size).toBe(WORKSPACES.length);
    for (const w of WORKSPACES) expect(w.label.zh).toMatch(/\p{Script=Han}/u);
  });

  it('resolves a linked case only inside a queue the member may use', () => {
    const moderator = permissionsOf(['moderator']);
    expect(resolveRoute('/moderation/listings/42', moderator)).toMatchObject({
      workspace: { id: 'listings' },
      caseId: 42,
    });
    expect(resolveRoute('/moderation/listings/', moderator)).toMatchObject({ caseId: null });
    expect(resolveRoute('/finance/payouts/7', moderator)).toBeNull();
    expect(resolveRoute('/moderation/listings/0', moderator)).toBeNull();
    expect(resolveRoute('/moderation/listings/abc', moderator)).toBeNull();
    expect(resolveRoute('/overview/dashboard/3', permissionsOf(['finance']))).toBeNull();
  });
});
