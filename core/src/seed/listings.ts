import { type CreateServiceBody, createServiceBodySchema } from '@jiangxin/shared/api/catalog';
import { createService, packageRows } from '../modules/catalog/commands';
import type { AppContext } from '../platform/context';
import type { Tx } from '../platform/db/database';
import { insertIds } from './bulk';
import type { CatalogIds } from './catalog';
import { atStoryTime } from './context';
import type { ListingPlan, SeedPlan } from './plan';

/**
 * The body a freelancer's app would send to create this listing, through the route's schema: every
 * listing, written in bulk or not, meets the same input rules (lengths, three ordered packages, prices
 * not falling with the tier).
 */
export function listingBody(
  l: ListingPlan,
  catalog: CatalogIds,
  submit: boolean,
): CreateServiceBody & { submit: boolean } {
  return createServiceBodySchema.parse({
    title: l.title,
    titleZh: l.titleZh,
    description: l.description,
    categoryId: catalog.leafIds[l.leaf]!,
    skillIds: l.skills.map((s) => catalog.skillIds.get(`${l.leaf}:${s}`)!),
    packages: l.packages,
    submit,
  });
}

/**
 * Whether a listing is written as rows rather than through the catalog commands: published, rejected
 * and suspended listings are where a moderator's decision left them, and replaying their review (a
 * submission, a case, a decision, an audit entry each) would be most of the seed's time at the large
 * scale for history nobody sees. `bulk.test.ts` checks these rows equal the commands' result.
 */
export function writtenInBulk(l: ListingPlan): boolean {
  return l.status === 'published' || l.status === 'rejected' || l.status === 'suspended';
}

/**
 * Inserts listings as the rows the catalog commands would leave (createService as a draft, submitted,
 * then the moderator's decision at the story's times): the service row with the figures `createService`
 * derives from the packages, its packages (`packageRows`, shared with the command) and skills. No
 * events and no review case: that history is not replayed. Returns the ids in the given order.
 */
export async function insertListingRows(
  tx: Tx,
  listings: readonly ListingPlan[],
  users: readonly number[],
  catalog: CatalogIds,
): Promise<number[]> {
  const rows = listings.map((l) => ({ l, body: listingBody(l, catalog, true) }));
  const ids = await insertIds(rows, 500, (chunk) =>
    tx
      .insertInto('services')
      .values(
        chunk.map(({ l, body }) => ({
          freelancer_id: users[l.freelancerKey]!,
          title: body.title,
          title_zh: body.titleZh,
          description: body.description,
          category_id: body.categoryId,
          status: l.status,
          views_count: l.views,
          starting_price_fen: Math.min(...body.packages.map((p) => p.priceFen)),
          min_delivery_days: Math.min(...body.packages.map((p) => p.deliveryDays)),
          review_note: l.reviewNote,
          submitted_at: l.submittedAt === null ? null : new Date(l.submittedAt),
          published_at: l.publishedAt === null ? null : new Date(l.publishedAt),
          created_at: new Date(l.createdAt),
          updated_at: new Date(l.updatedAt),
        })),
      )
      .returning('id')
      .execute(),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000).map((r, j) => ({ ...r, id: ids[i + j]! }));
    await tx
      .insertInto('service_packages')
      .values(chunk.flatMap(({ id, body }) => packageRows(id, body.packages)))
      .execute();
    const skills = chunk.flatMap(({ id, body }) =>
      [...new Set(body.skillIds)].map((skill_id) => ({ service_id: id, skill_id })),
    );
    if (skills.length) await tx.insertInto('service_skills').values(skills).execute();
  }
  return ids;
}

/**
 * Every planned listing: moderated ones in bulk (`insertListingRows`), drafts and listings waiting for
 * review created by their freelancer with `createService` at the story's time, as drafts. The ops stage
 * submits the waiting ones (`updateService`), so their `service.submitted` is the command's and opens the
 * review case. Returns the id of every plan key and the ids waiting to be submitted, in plan order.
 */
export async function writeListings(
  ctx: AppContext,
  plan: Pick<SeedPlan, 'listings'>,
  users: readonly number[],
  catalog: CatalogIds,
): Promise<{ ids: number[]; awaitingReview: number[] }> {
  const bulk = plan.listings.filter(writtenInBulk);
  const bulkIds = await ctx.db.transact((tx) => insertListingRows(tx, bulk, users, catalog));
  const ids: number[] = [];
  for (const [i, l] of bulk.entries()) ids[l.key] = bulkIds[i]!;
  const awaitingReview: number[] = [];
  for (const l of plan.listings) {
    if (writtenInBulk(l)) continue;
    const at = atStoryTime(ctx, l.createdAt);
    ids[l.key] = await createService(at, users[l.freelancerKey]!, listingBody(l, catalog, false));
    if (l.status === 'pending_review') awaitingReview.push(ids[l.key]!);
  }
  return { ids, awaitingReview };
}
