import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/** Files, conversations and messages, reviews, idempotency keys and the event outbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE files (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint NOT NULL REFERENCES users(id),
      filename text NOT NULL,
      content_type text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
      sha256 text NOT NULL,
      storage_key text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX files_owner_idx ON files (owner_id)`,
    `CREATE TABLE conversations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id bigint REFERENCES orders(id),
      service_id bigint REFERENCES services(id),
      user1_id bigint NOT NULL REFERENCES users(id),
      user2_id bigint NOT NULL REFERENCES users(id),
      last_message_id bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (user1_id < user2_id)
    )`,
    `CREATE UNIQUE INDEX conversations_pair_key ON conversations (user1_id, user2_id, coalesce(order_id, 0))`,
    `CREATE TABLE conversation_participants (
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id),
      last_read_message_id bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (conversation_id, user_id)
    )`,
    `CREATE INDEX conversation_participants_user_idx ON conversation_participants (user_id)`,
    `CREATE TABLE messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      sender_id bigint NOT NULL REFERENCES users(id),
      type text NOT NULL CHECK (type IN ('text','image','file')),
      content text NOT NULL DEFAULT '',
      file_id bigint REFERENCES files(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX messages_conversation_idx ON messages (conversation_id, id DESC)`,
    `CREATE TABLE reviews (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders(id),
      service_id bigint NOT NULL REFERENCES services(id),
      author_id bigint NOT NULL REFERENCES users(id),
      target_user_id bigint NOT NULL REFERENCES users(id),
      direction text NOT NULL CHECK (direction IN ('client_to_freelancer','freelancer_to_client')),
      rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
      comment text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, direction)
    )`,
    `CREATE INDEX reviews_service_idx ON reviews (service_id, id DESC)`,
    `CREATE INDEX reviews_target_idx ON reviews (target_user_id, id DESC)`,
    `CREATE TABLE idempotency_keys (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL,
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      response_status integer,
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, scope, key)
    )`,
    `CREATE TABLE events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      seq bigint UNIQUE,
      type text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id bigint NOT NULL,
      payload jsonb NOT NULL,
      audience bigint[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX events_unsequenced_idx ON events (id) WHERE seq IS NULL`,
    `CREATE INDEX events_aggregate_idx ON events (aggregate_type, aggregate_id)`,
  ]);
}
