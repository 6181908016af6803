import type { CreateServiceBody } from '@jiangxin/shared/api/catalog';
import { sql } from 'kysely';
import { setServiceStatus } from '../../modules/catalog/commands';
import type { TestApp } from '../harness';

let seq = 0;
const next = () => {
  seq += 1;
  return `${Date.now().toString(36)}${seq}`;
};

/** Inserts one category (active unless told otherwise). */
export async function createCategory(
  t: TestApp,
  opts: {
    nameZh?: string;
    name?: string;
    parentId?: number | null;
    sortOrder?: number;
    isActive?: boolean;
  } = {},
) {
  const n = next();
  return t.db.transact((tx) =>
    tx
      .insertInto('categories')
      .values({
        slug: `cat-${n}`,
        name: opts.name ?? `Category ${n}`,
        name_zh: opts.nameZh ?? `分类${n}`,
        parent_id: opts.parentId ?? null,
        sort_order: opts.sortOrder ?? 0,
        is_active: opts.isActive ?? true,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/** Inserts one skill in a category. */
export async function createSkill(
  t: TestApp,
  categoryId: number,
  opts: { name?: string; nameZh?: string } = {},
) {
  const n = next();
  return t.db.transact((tx) =>
    tx
      .insertInto('skills')
      .values({
        category_id: categoryId,
        name: opts.name ?? `skill-${n}`,
        name_zh: opts.nameZh ?? `技能${n}`,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/**
 * A small tree: 设计 Design (with LOGO设计 and 网页设计 below it) and 编程 Programming, plus one skill on
 * the parent and one on each child. Every call makes new rows, so suites in one database do not clash.
 */
export async function seedCatalog(t: TestApp) {
  const design = await createCategory(t, { nameZh: '设计', name: 'Design', sortOrder: 1 });
  const programming = await createCategory(t, { nameZh: '编程', name: 'Programming', sortOrder: 2 });
  const logo = await createCategory(t, {
    nameZh: 'LOGO设计',
    name: 'Logo design',
    parentId: design.id,
    sortOrder: 2,
  });
  const web = await createCategory(t, {
    nameZh: '网页设计',
    name: 'Web design',
    parentId: design.id,
    sortOrder: 1,
  });
  const branding = await createSkill(t, design.id, { name: 'Branding', nameZh: '品牌' });
  const illustrator = await createSkill(t, logo.id, { name: 'Illustrator', nameZh: 'Illustrator' });
  const figma = await createSkill(t, web.id, { name: 'Figma', nameZh: 'Figma' });
  const typescript = await createSkill(t, programming.id, { name: 'TypeScript', nameZh: 'TypeScript' });
  return { design, programming, logo, web, skills: { branding, illustrator, figma, typescript } };
}

/** A valid create-listing body; override any field. Prices basic < standard < premium. */
export function serviceBody(categoryId: number, over: Partial<CreateServiceBody> = {}): CreateServiceBody {
  return {
    title: 'Professional logo design',
    titleZh: '专业LOGO设计',
    description: '为您的品牌设计独特的标志，包含源文件与多种配色方案。',
    categoryId,
    skillIds: [],
    submit: true,
    packages: [
      {
        tier: 'basic',
        title: '基础版',
        description: '1 个方案',
        priceFen: 50_000,
        deliveryDays: 5,
        revisions: 1,
      },
      {
        tier: 'standard',
        title: '标准版',
        description: '3 个方案',
        priceFen: 120_000,
        deliveryDays: 4,
        revisions: 3,
      },
      {
        tier: 'premium',
        title: '高级版',
        description: '5 个方案',
        priceFen: 300_000,
        deliveryDays: 7,
        revisions: 5,
      },
    ],
    ...over,
  };
}

/**
 * Publishes a listing the way moderation will (ops module, later): through `setServiceStatus`, the
 * real command, from draft or pending_review.
 */
export async function publishService(t: TestApp, serviceId: number): Promise<void> {
  await t.db.transact(async (tx) => {
    const row = await tx
      .selectFrom('services')
      .select('status')
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    if (row.status === 'draft') await setServiceStatus(t.ctx, tx, serviceId, 'pending_review');
    await setServiceStatus(t.ctx, tx, serviceId, 'published');
  });
}

/**
 * FIXTURE FOR REVIEW TESTS ONLY. Inserts an order row directly in `completed` status (amount and terms
 * from the chosen package), bypassing payment, escrow and the order state machine, which the orders
 * module owns. It exists so reviews can be tested before that module is written; never use it to test
 * anything about orders or money.
 */
export async function insertCompletedOrderFixture(
  t: TestApp,
  opts: {
    serviceId: number;
    clientId: number;
    tier?: 'basic' | 'standard' | 'premium';
    status?: 'completed' | 'in_progress' | 'delivered';
  },
) {
  return t.db.transact(async (tx) => {
    const service = await tx
      .selectFrom('services as s')
      .innerJoin('service_packages as p', 'p.service_id', 's.id')
      .select([
        's.id',
        's.freelancer_id',
        's.title_zh',
        'p.tier',
        'p.price_fen',
        'p.delivery_days',
        'p.revisions',
      ])
      .where('s.id', '=', opts.serviceId)
      .where('p.tier', '=', opts.tier ?? 'basic')
      .executeTakeFirstOrThrow();
    const status = opts.status ?? 'completed';
    const now = t.ctx.now();
    return tx
      .insertInto('orders')
      .values({
        order_number: sql<string>`'TEST' || nextval('order_number_seq')::text`,
        client_id: opts.clientId,
        freelancer_id: service.freelancer_id,
        service_id: service.id,
        tier: service.tier,
        service_title: service.title_zh,
        amount_fen: service.price_fen,
        delivery_days: service.delivery_days,
        revisions_allowed: service.revisions,
        status,
        cancellation_requested_by: null,
        cancellation_reason: null,
        completed_at: status === 'completed' ? now : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
