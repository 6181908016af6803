import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { changeCase, isCaseActing, openCase } from '../cases/commands';
import type { CaseRow } from '../cases/queries';
import { type CaseKindHandler, caseAction } from '../cases/registry';
import { setServiceStatus } from '../catalog/commands';

/** A submitted listing opens a `listing_review` case; leaving review by other means closes it. */
export function registerListingReviewReactions(ctx: AppContext): void {
  ctx.db.reactions.on('service.submitted', 'cases.listing_review.open', async (tx, e) => {
    await openCase(ctx, tx, {
      kind: 'listing_review',
      subjectType: 'service',
      subjectId: e.serviceId,
      userId: e.freelancerId,
      stage: e.resubmission ? 'resubmitted' : 'submitted',
      title: e.titleZh || e.title,
      summary: { serviceId: e.serviceId, title: e.title, titleZh: e.titleZh, resubmission: e.resubmission },
      searchText: e.title,
    });
  });
  ctx.db.reactions.on('service.status_changed', 'cases.listing_review.close', async (tx, e) => {
    if (e.from !== 'pending_review' || e.to === 'pending_review') return;
    const live = (await tx
      .selectFrom('cases')
      .selectAll()
      .where('kind', '=', 'listing_review')
      .where('subject_type', '=', 'service')
      .where('subject_id', '=', e.serviceId)
      .where('status', '<>', 'resolved')
      .forUpdate()
      .executeTakeFirst()) as CaseRow | undefined;
    // A decision taken through the case records itself; this covers the listing leaving review otherwise
    // (the freelancer withdrawing it to draft, an admin tool publishing it).
    if (!live || isCaseActing(tx, live.id)) return;
    const outcome = {
      draft: 'withdrawn',
      published: 'approved',
      rejected: 'rejected',
      suspended: 'suspended',
    }[e.to];
    await changeCase(ctx, tx, live, null, outcome, { status: 'resolved', outcome, stage: outcome });
  });
}

export const listingReviewCases: CaseKindHandler = {
  kind: 'listing_review',
  actions: {
    approve: caseAction({
      permission: 'listings.review',
      label: { zh: '通过', en: 'Approve' },
      body: z.object({ note: z.string().max(500).optional() }).strict(),
      run: async (ctx, tx, c, _staff, body) => {
        await setServiceStatus(ctx, tx, c.subject_id, 'published', { note: body.note ?? null });
        return { status: 'resolved', outcome: 'approved', stage: 'approved', note: body.note ?? '' };
      },
    }),
  },
};
