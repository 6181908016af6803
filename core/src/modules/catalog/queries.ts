import type { CategoryNode, MyService, ServiceDetail, ServiceStatus } from '@jiangxin/shared/api/catalog';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ReadDb, Tx } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { notFound } from '../../platform/http/problem';
import { iso, toCategory, toMyService, toServiceCard } from './presenters';

type Reader = ReadDb | Tx;

/**
 * services joined with the freelancer's nickname and rating: the base of every card query (search,
 * detail, "my services"). Callers add their own filters, order and limit.
 */
export function serviceCardQuery(db: Reader) {
  return db
    .selectFrom('services as s')
    .innerJoin('users as u', 'u.id', 's.freelancer_id')
    .leftJoin('freelancer_profiles as fp', 'fp.user_id', 's.freelancer_id')
    .select([
      's.id',
      's.title',
      's.title_zh',
      's.category_id',
      's.freelancer_id',
      'u.nickname as freelancer_nickname',
      'fp.rating as freelancer_rating',
      'fp.rating_count as freelancer_rating_count',
      's.starting_price_fen',
      's.min_delivery_days',
      's.rating',
      's.rating_count',
      's.orders_completed',
      's.published_at',
    ]);
}

/**
 * The active category tree, siblings by sort_order then id. A category whose parent is inactive is
 * hidden with it, so the tree shows exactly the categories a new listing may use.
 */
export async function getCategoryTree(db: Reader): Promise<CategoryNode[]> {
  const rows = await db
    .selectFrom('categories')
    .select(['id', 'slug', 'name', 'name_zh', 'parent_id'])
    .where('is_active', '=', true)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
  const nodes = new Map<number, CategoryNode>(rows.map((r) => [r.id, { ...toCategory(r), children: [] }]));
  const roots: CategoryNode[] = [];
  for (const r of rows) {
    const node = nodes.get(r.id)!;
    if (r.parent_id === null) roots.push(node);
    else nodes.get(r.parent_id)?.children.push(node);
  }
  return roots;
}

/**
 * A category a listing may use now: it exists, is active, and so is its parent. Null otherwise.
 */
export async function findUsableCategory(db: Reader, categoryId: number) {
  const category = await db
    .selectFrom('categories as c')
    .leftJoin('categories as p', 'p.id', 'c.parent_id')
    .select(['c.id', 'c.parent_id', 'c.is_active', 'p.is_active as parent_active'])
    .where('c.id', '=', categoryId)
    .executeTakeFirst();
  return category?.is_active && category.parent_active !== false ? category : null;
}

/**
 * The skills a listing in this category may carry: the category's own and its parent's (a "LOGO设计"
 * listing may also name the skills of "设计"). 404 for an unknown or inactive category.
 */
export async function listCategorySkills(db: Reader, categoryId: number) {
  const category = await findUsableCategory(db, categoryId);
  if (!category) throw notFound({ zh: '分类不存在', en: 'No such category' });
  const ids = category.parent_id === null ? [category.id] : [category.id, category.parent_id];
  const rows = await db
    .selectFrom('skills')
    .select(['id', 'name', 'name_zh', 'category_id'])
    .where('category_id', 'in', ids)
    .orderBy('category_id')
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, nameZh: r.name_zh, categoryId: r.category_id }));
}

/**
 * A category and all its descendants (search "设计" also finds "LOGO设计" listings). Empty when the
 * category does not exist.
 */
export async function categoryWithDescendants(db: Reader, categoryId: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    WITH RECURSIVE tree(id) AS (
      SELECT id FROM categories WHERE id = ${categoryId}
      UNION
      SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
    )
    SELECT id FROM tree`.execute(db);
  return rows.map((r) => Number(r.id));
}

/** One listing with packages, skills and category, whatever its status; null when it does not exist. */
export async function getServiceDetail(db: Reader, serviceId: number): Promise<ServiceDetail | null> {
  const row = await serviceCardQuery(db)
    .innerJoin('categories as c', 'c.id', 's.category_id')
    .select([
      's.description',
      's.status',
      's.views_count',
      's.review_note',
      's.created_at',
      's.updated_at',
      'c.slug as category_slug',
      'c.name as category_name',
      'c.name_zh as category_name_zh',
      'c.parent_id as category_parent_id',
    ])
    .where('s.id', '=', serviceId)
    .executeTakeFirst();
  if (!row) return null;
  const [packages, skills] = await Promise.all([
    db
      .selectFrom('service_packages')
      .selectAll()
      .where('service_id', '=', serviceId)
      .orderBy(sql`array_position(array['basic','standard','premium'], tier)`)
      .execute(),
    db
      .selectFrom('service_skills as ss')
      .innerJoin('skills as k', 'k.id', 'ss.skill_id')
      .select(['k.id', 'k.name', 'k.name_zh', 'k.category_id'])
      .where('ss.service_id', '=', serviceId)
      .orderBy('k.id')
      .execute(),
  ]);
  return {
    ...toServiceCard(row),
    description: row.description,
    status: row.status,
    category: toCategory({
      id: row.category_id,
      slug: row.category_slug,
      name: row.category_name,
      name_zh: row.category_name_zh,
      parent_id: row.category_parent_id,
    }),
    skills: skills.map((k) => ({ id: k.id, name: k.name, nameZh: k.name_zh, categoryId: k.category_id })),
    packages: packages.map((p) => ({
      tier: p.tier,
      title: p.title,
      description: p.description,
      priceFen: p.price_fen,
      deliveryDays: p.delivery_days,
      revisions: p.revisions,
    })),
    views: row.views_count,
    reviewNote: row.review_note,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Who owns a listing and whether the public may see it; null when it does not exist. */
export async function getServiceVisibility(db: Reader, serviceId: number) {
  const row = await db
    .selectFrom('services')
    .select(['freelancer_id', 'status'])
    .where('id', '=', serviceId)
    .executeTakeFirst();
  return row ? { freelancerId: row.freelancer_id, status: row.status as ServiceStatus } : null;
}

/**
 * Whether `viewer` may see a listing: published listings are public; the owner and any staff member see
 * every status. Everyone else is told it does not exist, so unpublished ids do not leak.
 */
export function canSeeService(
  listing: { freelancerId: number; status: ServiceStatus },
  viewer: { userId: number; staffRoles: readonly string[] } | null,
): boolean {
  if (listing.status === 'published') return true;
  if (!viewer) return false;
  return viewer.userId === listing.freelancerId || viewer.staffRoles.length > 0;
}

const myCursor = z.tuple([cursorId]);

/** The caller's own listings in any status (optionally one), newest first, keyset-paginated by id. */
export async function listMyServices(
  db: Reader,
  userId: number,
  q: { status?: ServiceStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: MyService[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, 'mine', myCursor)[0] : null;
  let query = serviceCardQuery(db)
    .select(['s.status', 's.review_note', 's.submitted_at', 's.updated_at'])
    .where('s.freelancer_id', '=', userId);
  if (q.status) query = query.where('s.status', '=', q.status);
  if (after !== null) query = query.where('s.id', '<', after);
  const rows = await query
    .orderBy('s.id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toMyService),
    nextCursor: rows.length > q.limit && last ? encodeCursor('mine', [last.id]) : null,
  };
}
