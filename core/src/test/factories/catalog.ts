import type { CreateServiceBody } from '@jiangxin/shared/api/catalog';
import type { PackageTier } from '@jiangxin/shared/orders';
import { createService, setServiceStatus } from '../../modules/catalog/commands';
import { createOrder, transitionOrder } from '../../modules/orders/commands';
import { applyVerifiedNotification } from '../../modules/payments/commands';
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
 * A published listing of `freelancerId` in a fresh category, created and published through the real
 * catalog commands. Prices and revision counts per tier can be chosen (basic, standard, premium).
 */
export async function insertPublishedService(
  t: TestApp,
  freelancerId: number,
  opts: { prices?: [number, number, number]; revisions?: [number, number, number] } = {},
): Promise<{ serviceId: number; prices: Record<PackageTier, number> }> {
  const category = await createCategory(t, { nameZh: 'LOGO设计', name: 'Logo design' });
  const base = serviceBody(category.id);
  const packages = base.packages.map((p, i) => ({
    ...p,
    ...(opts.prices ? { priceFen: opts.prices[i]! } : {}),
    ...(opts.revisions ? { revisions: opts.revisions[i]! } : {}),
  })) as CreateServiceBody['packages'];
  const serviceId = await createService(t.ctx, freelancerId, { ...base, packages });
  await publishService(t, serviceId);
  const [basic, standard, premium] = packages.map((p) => p.priceFen) as [number, number, number];
  return { serviceId, prices: { basic, standard, premium } };
}

/**
 * An order of `serviceId` by `clientId` brought to `status` through the real commands: placed, paid
 * by a verified gateway notification (escrow frozen), accepted, delivered and accepted by the client —
 * stopping at the status asked for. Money moves exactly as in production, so the ledger stays checkable.
 */
export async function orderThroughCommands(
  t: TestApp,
  opts: {
    serviceId: number;
    clientId: number;
    tier?: 'basic' | 'standard' | 'premium';
    status?: 'completed' | 'in_progress' | 'delivered';
  },
) {
  const { order, payment } = await createOrder(
    t.ctx,
    opts.clientId,
    { serviceId: opts.serviceId, tier: opts.tier ?? 'basic', requirements: '', paymentProvider: 'alipay' },
    `fixture-${opts.clientId}-${opts.serviceId}-${Date.now()}-${Math.random()}`,
  );
  await t.db.transact((tx) =>
    applyVerifiedNotification(
      t.ctx,
      tx,
      payment.provider,
      {
        provider: payment.provider,
        outTradeNo: payment.out_trade_no,
        providerTradeNo: `FIXTURE${payment.id}`,
        amountFen: payment.amount_fen,
        outcome: 'succeeded',
        rawStatus: 'TRADE_SUCCESS',
      },
      { headers: {}, rawBody: '' },
    ),
  );
  const freelancer = { kind: 'user' as const, userId: order.freelancer_id };
  const client = { kind: 'user' as const, userId: opts.clientId };
  const target = opts.status ?? 'completed';
  let row = await transitionOrder(t.ctx, order.id, freelancer, 'accept');
  if (target === 'in_progress') return row;
  row = await transitionOrder(t.ctx, order.id, freelancer, 'deliver', { message: '已交付' });
  if (target === 'delivered') return row;
  return transitionOrder(t.ctx, order.id, client, 'complete');
}
