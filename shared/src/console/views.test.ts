import { describe, expect, it } from 'vitest';
import { queueKinds, queueViewStateSchema } from './views';

const state = (filters: Record<string, unknown>) => ({ filters, sort: 'sla', columns: ['id'] });

describe('queue views: the kind filter', () => {
  it('a view keeps the kinds it narrows to; repeats, unknown kinds and an empty list are refused', () => {
    const ok = queueViewStateSchema.safeParse(state({ kinds: ['report', 'listing_review'] }));
    expect(ok.success && ok.data.filters.kinds).toEqual(['report', 'listing_review']);
    for (const kinds of [['report', 'report'], ['refund'], []])
      expect(queueViewStateSchema.safeParse(state({ kinds })).success, JSON.stringify(kinds)).toBe(false);
    // Views saved before the filter existed still read.
    expect(queueViewStateSchema.safeParse(state({ statuses: ['open'] })).success).toBe(true);
  });

  it('narrows the workspace’s kinds, never widens them, and falls back to all when nothing is left', () => {
    const both = ['listing_review', 'report'] as const;
    expect(queueKinds(both, undefined)).toEqual(['listing_review', 'report']);
    expect(queueKinds(both, ['report'])).toEqual(['report']);
    expect(queueKinds(both, ['report', 'payout'])).toEqual(['report']);
    expect(queueKinds(both, ['payout'])).toEqual(['listing_review', 'report']);
    expect(queueKinds(['dispute'], ['payout'])).toEqual(['dispute']);
    expect(queueKinds(undefined, ['payout'])).toBeUndefined();
  });
});
