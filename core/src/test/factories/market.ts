import type { PackageTier } from '@jiangxin/shared/orders';
import type { Db } from '../../platform/db/database';

/**
 * A published listing inserted directly, for tests of what happens after the catalog (orders, ledger,
 * payments). The catalog's own tests create listings through the API and the review flow.
 */
export async function insertPublishedService(
  db: Db,
  freelancerId: number,
  opts: { prices?: [number, number, number]; revisions?: [number, number, number]; title?: string } = {},
): Promise<{ serviceId: number; prices: Record<PackageTier, number> }> {
  const prices = opts.prices ?? [19_900, 49_900, 99_900];
  const revisions = opts.revisions ?? [1, 2, 5];
  return db.transact(async (tx) => {
    const cat = await tx
      .insertInto('categories')
      .values({
        slug: `test-${Math.random().toString(36).slice(2, 10)}`,
        name: 'Logo design',
        name_zh: 'LOGO设计',
        parent_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const service = await tx
      .insertInto('services')
      .values({
        freelancer_id: freelancerId,
        title: 'Original logo design',
        title_zh: opts.title ?? '原创LOGO设计 不满意免费修改',
        description: '资深设计师一对一服务，提供源文件与商用授权。',
        category_id: cat.id,
        status: 'published',
        starting_price_fen: Math.min(...prices),
        min_delivery_days: 3,
        review_note: null,
        submitted_at: new Date(),
        published_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const tiers: PackageTier[] = ['basic', 'standard', 'premium'];
    await tx
      .insertInto('service_packages')
      .values(
        tiers.map((tier, i) => ({
          service_id: service.id,
          tier,
          title: ['基础版', '标准版', '高级版'][i]!,
          description: '',
          price_fen: prices[i]!,
          delivery_days: 3 + i * 2,
          revisions: revisions[i]!,
        })),
      )
      .execute();
    return { serviceId: service.id, prices: { basic: prices[0], standard: prices[1], premium: prices[2] } };
  });
}
