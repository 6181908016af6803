import { describe, expect, it } from 'vitest';
import { CASE_KINDS, CASE_VIEW_PERMISSION } from '../ops/cases';
import { permissionsOf, STAFF_ROLES } from '../permissions';
import {
  homeWorkspace,
  queueKindsFor,
  resolveRoute,
  WORKSPACE_GROUPS,
  WORKSPACES,
  workspacesFor,
} from './workspaces';

const ids = (role: (typeof STAFF_ROLES)[number]) => workspacesFor(permissionsOf([role])).map((w) => w.id);

describe('console workspaces', () => {
  it('each role sees exactly the workspaces its permissions open', () => {
    expect(ids('moderator')).toEqual(['listings', 'reports', 'disputes', 'dashboard', 'mine']);
    expect(ids('finance')).toEqual(['disputes', 'payouts', 'reconciliation', 'ledger', 'dashboard', 'mine']);
    // Support acts on chats only, answered in their own workspace: no cross-kind "my work" queue.
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

  it('every case kind has its own queue, guarded by the kind’s view permission; ids and paths are unique', () => {
    for (const kind of CASE_KINDS) {
      const queues = WORKSPACES.filter((w) => w.caseKinds?.length === 1 && w.caseKinds[0] === kind);
      expect(queues, kind).toHaveLength(1);
      expect(queues[0]!.permission).toBe(CASE_VIEW_PERMISSION[kind]);
    }
    expect(new Set(WORKSPACES.map((w) => w.id)).size).toBe(WORKSPACES.length);
    expect(new Set(WORKSPACES.map((w) => w.path)).size).toBe(WORKSPACES.length);
    for (const w of WORKSPACES) expect(w.label.zh).toMatch(/\p{Script=Han}/u);
  });

  it('“my work” lists only the kinds the member may view, and opens on what is theirs', () => {
    const mine = WORKSPACES.find((w) => w.id === 'mine')!;
    expect(queueKindsFor(mine, permissionsOf(['moderator']))).toEqual([
      'listing_review',
      'report',
      'dispute',
    ]);
    expect(queueKindsFor(mine, permissionsOf(['finance']))).toEqual([
      'dispute',
      'payout',
      'reconciliation_mismatch',
    ]);
    expect(queueKindsFor(mine, permissionsOf(['admin']))).not.toContain('support_chat');
    expect(mine.defaultFilters).toEqual({ assignee: 'me', statuses: ['open', 'waiting'] });
    expect(resolveRoute('/overview/mine/12', permissionsOf(['finance']))).toMatchObject({
      workspace: { id: 'mine' },
      caseId: 12,
    });
    expect(resolveRoute('/overview/mine', permissionsOf(['support']))).toBeNull();
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
