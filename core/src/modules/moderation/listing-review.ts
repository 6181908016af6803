import { type ListingReviewDetail, REJECT_REASON_LABELS } from '@jiangxin/shared/ops/moderation';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import { changeCase, isCaseActing, openCase } from '../cases/commands';
import type { CaseRow } from '../cases/queries';
import { defineCaseKind } from '../cases/registry';
import { setServiceStatus } from '../catalog/commands';
import { pastListingReviews, storedHits, storeHits, userHistory } from './queries';
import { type FieldHit, hitSignals, scanFields } from './scanner';

/** The texts of a listing the scanner reads, by field name (`packages.basic.title` …). */
async function listingTexts(db: ReadDb | Tx, serviceId: number): Promise<Record<string, string>> {
  const s = await db
    .selectFrom('services')
    .select(['title', 'title_zh', 'description'])
    .where('id', '=', serviceId)
    .executeTakeFirst();
  if (!s) return {};
  const packages = await db
    .selectFrom('service_packages')
    .select(['tier', 'title', 'description'])
    .where('service_id', '=', serviceId)
    .execute();
  const fields: Record<string, string> = { title: s.title, titleZh: s.title_zh, description: s.description };
  for (const p of packages) {
    fields[`packages.${p.tier}.title`] = p.title;
    fields[`packages.${p.tier}.description`] = p.description;
  }
  return fields;
}

/** Scans a listing, stores the hits (replacing those of an earlier version) and returns them. */
export async function scanListing(ctx: AppContext, tx: Tx, serviceId: number): Promise<FieldHit[]> {
  const hits = scanFields(await listingTexts(tx, serviceId));
  await storeHits(tx, 'service', serviceId, hits, ctx.now());
  return hits;
}

/**
 * A submitted listing is scanned and opens a `listing_review` case: contact details raise it to high
 * priority, prohibited words to urgent, with the matching flags. Leaving review by other means closes it.
 */
export function registerListingReviewReactions(ctx: AppContext): void {
  ctx.db.reactions.on('service.submitted', 'cases.listing_review.open', async (tx, e) => {
    const hits = await scanListing(ctx, tx, e.serviceId);
    const { flags, priority } = hitSignals(hits);
    await openCase(ctx, tx, {
      kind: 'listing_review',
      subjectType: 'service',
      subjectId: e.serviceId,
      userId: e.freelancerId,
      stage: e.resubmission ? 'resubmitted' : 'submitted',
      title: e.titleZh || e.title,
      priority,
      flags,
      summary: {
        serviceId: e.serviceId,
        title: e.title,
        titleZh: e.titleZh,
        resubmission: e.resubmission,
        hitCount: hits.length,
      },
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
      .forNoKeyUpdate()
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

/** What the freelancer reads on their listing: the reason in zh and en, then the moderator's note. */
export function rejectionNote(reason: keyof typeof REJECT_REASON_LABELS, note: string): string {
  const r = REJECT_REASON_LABELS[reason];
  return [`${r.zh}`, `${r.en}`, note].filter(Boolean).join('\n');
}

export const listingReviewCases = defineCaseKind('listing_review', {
  actions: {
    approve: {
      run: async (ctx, tx, c, _staff, body) => {
        await setServiceStatus(ctx, tx, c.subject_id, 'published', { note: body.note ?? null });
        return { status: 'resolved', outcome: 'approved', stage: 'approved', note: body.note ?? '' };
      },
    },
    reject: {
      run: async (ctx, tx, c, _staff, body) => {
        await setServiceStatus(ctx, tx, c.subject_id, 'rejected', {
          note: rejectionNote(body.reason, body.note),
        });
        return {
          status: 'resolved',
          outcome: 'rejected',
          stage: 'rejected',
          note: body.note,
          data: { reason: body.reason },
          summary: { ...c.summary, rejectReason: body.reason },
        };
      },
    },
    request_changes: {
      run: async (ctx, tx, c, _staff, body) => {
        await setServiceStatus(ctx, tx, c.subject_id, 'draft', { note: body.note });
        return {
          status: 'resolved',
          outcome: 'changes_requested',
          stage: 'changes_requested',
          note: body.note,
        };
      },
    },
  },
  /**
   * The listing as submitted, the scanner's hits per field, and the seller's history (account, listings,
   * sanctions, earlier reviews with their reject reasons).
   */
  detail: async (ctx, db, c) => {
    const s = await db
      .selectFrom('services as s')
      .innerJoin('categories as cat', 'cat.id', 's.category_id')
      .select([
        's.id',
        's.title',
        's.title_zh',
        's.description',
        's.status',
        's.review_note',
        's.category_id',
        'cat.name as category_name',
        'cat.name_zh as category_name_zh',
        's.submitted_at',
      ])
      .where('s.id', '=', c.subject_id)
      .executeTakeFirst();
    const packages = await db
      .selectFrom('service_packages')
      .selectAll()
      .where('service_id', '=', c.subject_id)
      .execute();
    const order = { basic: 0, standard: 1, premium: 2 };
    return {
      listing: s
        ? {
            id: s.id,
            title: s.title,
            titleZh: s.title_zh,
            description: s.description,
            status: s.status,
            reviewNote: s.review_note,
            category: { id: s.category_id, name: s.category_name, nameZh: s.category_name_zh },
            submittedAt: s.submitted_at ? new Date(s.submitted_at).toISOString() : null,
            packages: packages
              .sort((a, b) => order[a.tier] - order[b.tier])
              .map((p) => ({
                tier: p.tier,
                title: p.title,
                description: p.description,
                priceFen: p.price_fen,
                deliveryDays: p.delivery_days,
                revisions: p.revisions,
              })),
          }
        : null,
      hits: await storedHits(db, 'service', c.subject_id),
      seller: await userHistory(db, c.user_id, ctx.now()),
      pastReviews: await pastListingReviews(db, c.user_id, c.id),
    } satisfies ListingReviewDetail;
  },
});
