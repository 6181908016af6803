import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/** Users, profiles, refresh-token families, phone verification codes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL,
      email text,
      phone text,
      password_hash text NOT NULL,
      nickname text NOT NULL,
      is_client boolean NOT NULL DEFAULT true,
      is_freelancer boolean NOT NULL DEFAULT false,
      phone_verified boolean NOT NULL DEFAULT false,
      real_name_status text NOT NULL DEFAULT 'unverified'
        CHECK (real_name_status IN ('unverified','pending','verified','rejected')),
      real_name text,
      id_number text,
      staff_roles text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','banned')),
      suspended_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX users_username_key ON users (lower(username))`,
    `CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL`,
    `CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL`,
    `CREATE INDEX users_staff_idx ON users USING gin (staff_roles) WHERE staff_roles <> '{}'`,
    `CREATE TABLE freelancer_profiles (
      user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      bio text NOT NULL DEFAULT '',
      hourly_rate_fen bigint CHECK (hourly_rate_fen >= 0),
      rating numeric(3,2) NOT NULL DEFAULT 0,
      rating_count integer NOT NULL DEFAULT 0,
      response_rate integer NOT NULL DEFAULT 100 CHECK (response_rate BETWEEN 0 AND 100),
      location text NOT NULL DEFAULT ''
    )`,
    `CREATE TABLE client_profiles (
      user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      company_name text NOT NULL DEFAULT '',
      industry text NOT NULL DEFAULT '',
      location text NOT NULL DEFAULT '',
      rating numeric(3,2) NOT NULL DEFAULT 0,
      rating_count integer NOT NULL DEFAULT 0
    )`,
    `CREATE TABLE refresh_tokens (
      id text PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      family_id text NOT NULL,
      secret_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`,
    `CREATE TABLE phone_codes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      phone text NOT NULL,
      user_id bigint REFERENCES users(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX phone_codes_phone_idx ON phone_codes (phone, created_at DESC)`,
  ]);
}
