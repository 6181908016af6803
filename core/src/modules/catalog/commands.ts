import {
  type CreateServiceBody,
  canTransitionService,
  SERVICE_STATUS_LABELS,
  type ServiceStatus,
  type UpdateServiceBody,
} from '@jiangxin/shared/api/catalog';
import type { FieldProblem } from '@jiangxin/shared/errors';
import type { PackageTier } from '@jiangxin/shared/orders';
import type { AppContext } from '../../platform/context';
import type { Db, Tx } from '../../platform/db/database';
import type { ServicesTable } from '../../platform/db/schema';
import { appendEvent } from '../../platform/events/outbox';
import { AppError, type Localized, notFound } from '../../platform/http/problem';
import { findUsableCategory } from './queries';

type Packages = CreateServiceBody['packages'];

function invalid(field: string, message: string, detail: Localized): AppError {
  const problem: FieldProblem = { field, message };
  return new AppError('validation_failed', detail, undefined, [problem]);
}

/** Only an active freelancer account may list services. */
async function assertActiveFreelancer(ctx: AppContext, tx: Tx, userId: number): Promise<void> {
  const user = await tx
    .selectFrom('users')
    .select(['is_freelancer', 'status', 'suspended_until'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user?.is_freelancer)
    throw new AppError('forbidden', {
      zh: '只有服务商可以发布服务',
      en: 'Only freelancers can list services',
    });
  const suspended =
    user.status === 'banned' ||
    (user.status === 'suspended' && (!user.suspended_until || user.suspended_until > ctx.now()));
  if (suspended) throw new AppError('account_suspended');
}

/**
 * The category must exist and be active (as must its parent), and every skill must belong to that
 * category or its parent. Refusals name the request field.
 */
async function assertCategoryAndSkills(
  tx: Tx,
  categoryId: number,
  skillIds: readonly number[],
  skillsField: 'body.skillIds' | 'body.categoryId',
): Promise<void> {
  const category = await findUsableCategory(tx, categoryId);
  if (!category)
    throw invalid('body.categoryId', 'no such active category', {
      zh: '分类不存在或已停用',
      en: 'The category does not exist or is no longer in use',
    });
  if (skillIds.length === 0) return;
  const allowed = category.parent_id === null ? [category.id] : [category.id, category.parent_id];
  const found = await tx
    .selectFrom('skills')
    .select('id')
    .where('id', 'in', skillIds)
    .where('category_id', 'in', allowed)
    .execute();
  if (found.length !== skillIds.length) {
    const ok = new Set(found.map((s) => s.id));
    const bad = skillIds.filter((id) => !ok.has(id));
    throw invalid(skillsField, `skills ${bad.join(', ')} do not belong to the category`, {
      zh: '所选技能不属于该分类',
      en: 'Some skills do not belong to the category',
    });
  }
}

/** Listing-level figures derived from the packages, so cards and search never read the packages. */
function summarize(packages: Packages) {
  return {
    starting_price_fen: Math.min(...packages.map((p) => p.priceFen)),
    min_delivery_days: Math.min(...packages.map((p) => p.deliveryDays)),
  };
}

/** The `service_packages` rows of a listing's packages (the seeder bulk-inserts the same rows). */
export function packageRows(
  serviceId: number,
  packages: readonly {
    tier: PackageTier;
    title: string;
    description: string;
    priceFen: number;
    deliveryDays: number;
    revisions: number;
  }[],
) {
  return packages.map((p) => ({
    service_id: serviceId,
    tier: p.tier,
    title: p.title,
    description: p.description,
    price_fen: p.priceFen,
    delivery_days: p.deliveryDays,
    revisions: p.revisions,
  }));
}

async function writePackages(tx: Tx, serviceId: number, packages: Packages): Promise<void> {
  await tx.deleteFrom('service_packages').where('service_id', '=', serviceId).execute();
  await tx.insertInto('service_packages').values(packageRows(serviceId, packages)).execute();
}

async function writeSkills(tx: Tx, serviceId: number, skillIds: readonly number[]): Promise<void> {
  await tx.deleteFrom('service_skills').where('service_id', '=', serviceId).execute();
  if (skillIds.length)
    await tx
      .insertInto('service_skills')
      .values(skillIds.map((skill_id) => ({ service_id: serviceId, skill_id })))
      .execute();
}

/**
 * Creates a listing for a freelancer. With `submit` it goes straight to review (`pending_review`,
 * `service.submitted`), otherwise it stays a private draft. Category, skills and packages are checked
 * before anything is written; the whole listing is one transaction. Returns the new id.
 */
export async function createService(
  ctx: AppContext,
  userId: number,
  body: CreateServiceBody,
): Promise<number> {
  const skillIds = [...new Set(body.skillIds)];
  return ctx.db.transact(async (tx) => {
    await assertActiveFreelancer(ctx, tx, userId);
    await assertCategoryAndSkills(tx, body.categoryId, skillIds, 'body.skillIds');
    const now = ctx.now();
    const service = await tx
      .insertInto('services')
      .values({
        freelancer_id: userId,
        title: body.title,
        title_zh: body.titleZh,
        description: body.description,
        category_id: body.categoryId,
        status: body.submit ? 'pending_review' : 'draft',
        ...summarize(body.packages),
        submitted_at: body.submit ? now : null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writePackages(tx, service.id, body.packages);
    await writeSkills(tx, service.id, skillIds);
    if (body.submit) {
      await appendEvent(
        tx,
        'service.submitted',
        { aggregateType: 'service', aggregateId: service.id, audience: [userId] },
        {
          serviceId: service.id,
          freelancerId: userId,
          title: body.title,
          titleZh: body.titleZh,
          resubmission: false,
        },
      );
    }
    return service.id;
  });
}

type ServiceRow = Pick<
  ServicesTable,
  'freelancer_id' | 'title' | 'title_zh' | 'category_id' | 'status' | 'review_note'
> & { id: number; submitted_at: Date | null; published_at: Date | null };

async function lockService(tx: Tx, serviceId: number): Promise<ServiceRow | undefined> {
  return tx
    .selectFrom('services')
    .select([
      'id',
      'freelancer_id',
      'title',
      'title_zh',
      'category_id',
      'status',
      'review_note',
      'submitted_at',
      'published_at',
    ])
    .where('id', '=', serviceId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

async function announceSubmission(tx: Tx, row: ServiceRow, resubmission: boolean): Promise<void> {
  await appendEvent(
    tx,
    'service.submitted',
    { aggregateType: 'service', aggregateId: row.id, audience: [row.freelancer_id] },
    {
      serviceId: row.id,
      freelancerId: row.freelancer_id,
      title: row.title,
      titleZh: row.title_zh,
      resubmission,
    },
  );
}

/**
 * Moves a locked listing along SERVICE_TRANSITIONS (refusing anything else with 409), stamps
 * `published_at` on first publication and `submitted_at` on every entry into review, and appends
 * `service.status_changed` (plus `service.submitted` when it enters review) for the freelancer.
 */
async function applyTransition(
  ctx: AppContext,
  tx: Tx,
  row: ServiceRow,
  to: ServiceStatus,
  note: { set: boolean; value: string | null },
): Promise<void> {
  if (!canTransitionService(row.status, to))
    throw new AppError(
      'service_transition_not_allowed',
      {
        zh: `服务不能从「${SERVICE_STATUS_LABELS[row.status].zh}」变为「${SERVICE_STATUS_LABELS[to].zh}」`,
        en: `A listing cannot go from ${SERVICE_STATUS_LABELS[row.status].en.toLowerCase()} to ${SERVICE_STATUS_LABELS[to].en.toLowerCase()}`,
      },
      { from: row.status, to },
    );
  const now = ctx.now();
  await tx
    .updateTable('services')
    .set({
      status: to,
      updated_at: now,
      ...(to === 'published' && !row.published_at ? { published_at: now } : {}),
      ...(to === 'pending_review' ? { submitted_at: now } : {}),
      ...(note.set ? { review_note: note.value } : {}),
    })
    .where('id', '=', row.id)
    .execute();
  await appendEvent(
    tx,
    'service.status_changed',
    { aggregateType: 'service', aggregateId: row.id, audience: [row.freelancer_id] },
    { serviceId: row.id, freelancerId: row.freelancer_id, from: row.status, to },
  );
  if (to === 'pending_review') await announceSubmission(tx, row, row.submitted_at !== null);
}

/**
 * Staff decisions on a listing (approve, reject, request changes, suspend, reinstate, send back to
 * review), inside the caller's transaction. Enforces SERVICE_TRANSITIONS — anything else is a 409
 * `service_transition_not_allowed` — and records `note` as the listing's review note (cleared when
 * absent) so the freelancer sees why. Unknown listing → 404.
 */
export async function setServiceStatus(
  ctx: AppContext,
  tx: Tx,
  serviceId: number,
  to: ServiceStatus,
  opts: { note?: string | null } = {},
): Promise<{ from: ServiceStatus; to: ServiceStatus }> {
  const row = await lockService(tx, serviceId);
  if (!row) throw notFound({ zh: '服务不存在', en: 'No such listing' });
  await applyTransition(ctx, tx, row, to, { set: true, value: opts.note ?? null });
  return { from: row.status, to };
}

const CONTENT_FIELDS = ['title', 'titleZh', 'description', 'categoryId', 'skillIds', 'packages'] as const;

/**
 * The owner's edit of a listing, in one transaction. Other users get 404 (ids do not leak); a suspended
 * listing is frozen (409). Any content change sends a submitted, published or rejected listing back to
 * review (`service.submitted` with resubmission, `service.status_changed`), so nothing unreviewed is
 * ever public; a draft stays a draft only when saved with `submit: false`.
 */
export async function updateService(
  ctx: AppContext,
  userId: number,
  serviceId: number,
  body: UpdateServiceBody,
): Promise<void> {
  await ctx.db.transact(async (tx) => {
    const row = await lockService(tx, serviceId);
    if (!row || row.freelancer_id !== userId) throw notFound({ zh: '服务不存在', en: 'No such listing' });
    if (row.status === 'suspended')
      throw new AppError('service_not_editable', {
        zh: '服务已被下架，无法编辑；如有疑问请联系平台',
        en: 'This listing is suspended and cannot be edited; contact the platform',
      });
    if (body.submit === false && row.status !== 'draft')
      throw invalid('body.submit', 'only a draft can be saved without review', {
        zh: '只有草稿可以保存而不提交审核',
        en: 'Only a draft can be saved without submitting it for review',
      });

    const contentChanged = CONTENT_FIELDS.some((f) => body[f] !== undefined);
    if (body.categoryId !== undefined || body.skillIds !== undefined) {
      const categoryId = body.categoryId ?? row.category_id;
      const skillIds =
        body.skillIds !== undefined
          ? [...new Set(body.skillIds)]
          : (
              await tx
                .selectFrom('service_skills')
                .select('skill_id')
                .where('service_id', '=', serviceId)
                .execute()
            ).map((s) => s.skill_id);
      await assertCategoryAndSkills(
        tx,
        categoryId,
        skillIds,
        body.skillIds !== undefined ? 'body.skillIds' : 'body.categoryId',
      );
      if (body.skillIds !== undefined) await writeSkills(tx, serviceId, skillIds);
    }
    if (body.packages) await writePackages(tx, serviceId, body.packages);
    if (contentChanged) {
      await tx
        .updateTable('services')
        .set({
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.titleZh !== undefined ? { title_zh: body.titleZh } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.categoryId !== undefined ? { category_id: body.categoryId } : {}),
          ...(body.packages ? summarize(body.packages) : {}),
          updated_at: ctx.now(),
        })
        .where('id', '=', serviceId)
        .execute();
    }
    // Events carry the titles as they are after this edit.
    const current: ServiceRow = {
      ...row,
      title: body.title ?? row.title,
      title_zh: body.titleZh ?? row.title_zh,
    };

    switch (row.status) {
      case 'draft':
        if (body.submit === false) return;
        if (contentChanged || body.submit === true)
          await applyTransition(ctx, tx, current, 'pending_review', { set: false, value: null });
        return;
      case 'pending_review':
        // Still in the queue: moderators must look at the new content, from the new submission time.
        if (contentChanged) {
          await tx
            .updateTable('services')
            .set({ submitted_at: ctx.now() })
            .where('id', '=', serviceId)
            .execute();
          await announceSubmission(tx, current, true);
        }
        return;
      case 'published':
        if (contentChanged)
          await applyTransition(ctx, tx, current, 'pending_review', { set: false, value: null });
        return;
      case 'rejected':
        if (contentChanged || body.submit === true)
          await applyTransition(ctx, tx, current, 'pending_review', { set: false, value: null });
        return;
    }
  });
}

/**
 * Counts one view of a published listing. A single-row increment outside any transaction: no event, no
 * other table, and it must not wake the outbox dispatcher on every page view the way `transact` would.
 */
export async function recordServiceView(db: Db, serviceId: number): Promise<number | null> {
  const row = await db.write
    .updateTable('services')
    .set((eb) => ({ views_count: eb('views_count', '+', 1) }))
    .where('id', '=', serviceId)
    .where('status', '=', 'published')
    .returning('views_count')
    .executeTakeFirst();
  return row ? Number(row.views_count) : null;
}
