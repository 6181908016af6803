import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CaseChange } from './registry';
import { defineCaseKind } from './registry';

const done = async (): Promise<CaseChange> => ({ status: 'resolved' });

describe('defineCaseKind', () => {
  it('a kind implements exactly the actions CASE_ACTIONS declares for it (a type error otherwise)', () => {
    const ok = defineCaseKind('reconciliation_mismatch', {
      actions: {
        resolve: {
          run: async (_ctx, _tx, _c, _staff, body) => {
            expectTypeOf(body).toEqualTypeOf<{ note: string }>();
            return done();
          },
        },
      },
    });
    expect(Object.keys(ok.actions)).toEqual(['resolve']);
    expect(ok.actions['resolve']!.permission).toBe('reconciliation.view');

    expect(() =>
      defineCaseKind('report', {
        // @ts-expect-error `uphold` is declared for reports but not implemented
        actions: { dismiss: { run: done } },
      }),
    ).toThrow(/missing: uphold/);
    expect(() =>
      defineCaseKind('reconciliation_mismatch', {
        actions: {
          resolve: { run: done },
          // @ts-expect-error `ignore` is not declared for reconciliation mismatches
          ignore: { run: done },
        },
      }),
    ).toThrow(/undeclared: ignore/);
  });
});
