import type { Tx } from '../platform/db/database';
import { CATEGORIES } from './catalog-data';
import { LEAVES } from './plan';

/** Database ids of the seeded category tree. */
export interface CatalogIds {
  categories: number;
  /** Leaf category id by leaf index. */
  leafIds: number[];
  /** Skill id by `leafIndex:englishName`. */
  skillIds: Map<string, number>;
}

/**
 * The category tree and its skills: reference data an operator loads (no command creates categories),
 * so it is inserted as rows.
 */
export async function writeCatalog(tx: Tx): Promise<CatalogIds> {
  const leafIds: number[] = [];
  const skillIds = new Map<string, number>();
  let categories = 0;
  for (const [t, top] of CATEGORIES.entries()) {
    const parent = await tx
      .insertInto('categories')
      .values({ slug: top.slug, name: top.name, name_zh: top.nameZh, parent_id: null, sort_order: t + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    categories += 1;
    const children = await tx
      .insertInto('categories')
      .values(
        top.children.map((c, i) => ({
          slug: c.slug,
          name: c.name,
          name_zh: c.nameZh,
          parent_id: parent.id,
          sort_order: i + 1,
        })),
      )
      .returning(['id', 'slug'])
      .execute();
    categories += children.length;
    const idBySlug = new Map(children.map((c) => [c.slug, c.id]));
    for (const leaf of LEAVES.filter((l) => l.top.slug === top.slug)) {
      const leafId = idBySlug.get(leaf.slug)!;
      leafIds[leaf.index] = leafId;
      const skills = await tx
        .insertInto('skills')
        .values(leaf.skills.map(([en, zh]) => ({ name: en, name_zh: zh, category_id: leafId })))
        .returning(['id', 'name'])
        .execute();
      for (const s of skills) skillIds.set(`${leaf.index}:${s.name}`, s.id);
    }
  }
  return { categories, leafIds, skillIds };
}
