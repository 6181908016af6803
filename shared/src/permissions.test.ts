import { describe, expect, it } from 'vitest';
import { hasPermission, PERMISSIONS, permissionsOf } from './permissions';

describe('permission matrix', () => {
  it('gives admin everything and keeps roles apart', () => {
    expect(permissionsOf(['admin'])).toEqual([...PERMISSIONS]);
    expect(hasPermission(['moderator'], 'listings.review')).toBe(true);
    expect(hasPermission(['moderator'], 'payouts.approve')).toBe(false);
    expect(hasPermission(['finance'], 'payouts.approve')).toBe(true);
    expect(hasPermission(['support'], 'pii.reveal')).toBe(false);
    expect(hasPermission([], 'cases.view')).toBe(false);
  });

  it('keeps team management with administrators', () => {
    expect(hasPermission(['admin'], 'teams.manage')).toBe(true);
    for (const role of ['moderator', 'finance', 'support'] as const)
      expect(hasPermission([role], 'teams.manage')).toBe(false);
  });
});
