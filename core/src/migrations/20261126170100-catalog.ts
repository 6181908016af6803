import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/** Category tree, skills, services with their three packages; trigram search index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
    `CREATE TABLE categories (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      name_zh text NOT NULL,
      parent_id bigint REFERENCES categories(id),
      sort_order integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true
    )`,
    `CREATE TABLE skills (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      name_zh text NOT NULL,
      category_id bigint NOT NULL REFERENCES categories(id),
      UNIQUE (category_id, name)
    )`,
    `CREATE TABLE services (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      freelancer_id bigint NOT NULL REFERENCES users(id),
      title text NOT NULL,
      title_zh text NOT NULL,
      description text NOT NULL,
      category_id bigint NOT NULL REFERENCES categories(id),
      status text NOT NULL CHECK (status IN ('draft','pending_review','published','rejected','suspended')),
      rating numeric(3,2) NOT NULL DEFAULT 0,
      rating_count integer NOT NULL DEFAULT 0,
      views_count bigint NOT NULL DEFAULT 0,
      orders_completed integer NOT NULL DEFAULT 0,
      starting_price_fen bigint NOT NULL CHECK (starting_price_fen > 0),
      min_delivery_days integer NOT NULL CHECK (min_delivery_days > 0),
      review_note text,
      search_text text GENERATED ALWAYS AS (lower(title_zh || ' ' || title || ' ' || description)) STORED,
      submitted_at timestamptz,
      published_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX services_search_trgm ON services USING gin (search_text gin_trgm_ops)`,
    `CREATE INDEX services_published_idx ON services (category_id, published_at DESC) WHERE status = 'published'`,
    `CREATE INDEX services_price_idx ON services (starting_price_fen, id) WHERE status = 'published'`,
    `CREATE INDEX services_rating_idx ON services (rating DESC, id DESC) WHERE status = 'published'`,
    `CREATE INDEX services_newest_idx ON services (published_at DESC, id DESC) WHERE status = 'published'`,
    `CREATE INDEX services_freelancer_idx ON services (freelancer_id)`,
    `CREATE INDEX services_status_idx ON services (status, submitted_at)`,
    `CREATE TABLE service_packages (
      service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
      tier text NOT NULL CHECK (tier IN ('basic','standard','premium')),
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      price_fen bigint NOT NULL CHECK (price_fen > 0),
      delivery_days integer NOT NULL CHECK (delivery_days > 0),
      revisions integer NOT NULL CHECK (revisions >= 0),
      PRIMARY KEY (service_id, tier)
    )`,
    `CREATE TABLE service_skills (
      service_id bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
      skill_id bigint NOT NULL REFERENCES skills(id),
      PRIMARY KEY (service_id, skill_id)
    )`,
  ]);
}
