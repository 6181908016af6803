import type { Category, MyService, ServiceCard } from '@jiangxin/shared/api/catalog';
import type { ServiceStatusColumn } from '../../platform/db/schema';

/** The columns a service card is built from (services joined with its freelancer). */
export interface ServiceCardRow {
  id: number;
  title: string;
  title_zh: string;
  category_id: number;
  freelancer_id: number;
  freelancer_nickname: string;
  freelancer_rating: number | null;
  freelancer_rating_count: number | null;
  starting_price_fen: number;
  min_delivery_days: number;
  rating: number;
  rating_count: number;
  orders_completed: number;
  published_at: Date | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** A listing as search results and lists show it; ratings are exact 2-decimal values from NUMERIC(3,2). */
export function toServiceCard(r: ServiceCardRow): ServiceCard {
  return {
    id: r.id,
    title: r.title,
    titleZh: r.title_zh,
    categoryId: r.category_id,
    freelancer: {
      id: r.freelancer_id,
      nickname: r.freelancer_nickname,
      rating: Number(r.freelancer_rating ?? 0),
      ratingCount: r.freelancer_rating_count ?? 0,
    },
    startingPriceFen: r.starting_price_fen,
    minDeliveryDays: r.min_delivery_days,
    rating: Number(r.rating),
    ratingCount: r.rating_count,
    ordersCompleted: r.orders_completed,
    publishedAt: r.published_at ? iso(r.published_at) : null,
  };
}

/** The owner's view of a listing in their own list: the card plus its review state. */
export function toMyService(
  r: ServiceCardRow & {
    status: ServiceStatusColumn;
    review_note: string | null;
    submitted_at: Date | null;
    updated_at: Date;
  },
): MyService {
  return {
    ...toServiceCard(r),
    status: r.status,
    reviewNote: r.review_note,
    submittedAt: r.submitted_at ? iso(r.submitted_at) : null,
    updatedAt: iso(r.updated_at),
  };
}

/** A category row in the API's camelCase shape (zh and en names). */
export function toCategory(r: {
  id: number;
  slug: string;
  name: string;
  name_zh: string;
  parent_id: number | null;
}): Category {
  return { id: r.id, slug: r.slug, name: r.name, nameZh: r.name_zh, parentId: r.parent_id };
}

export { iso };
