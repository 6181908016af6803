import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Moderation: the scanner's hits per piece of content, user reports (every one kept, grouped under one
 * `report` case per target), sanctions with expiry, and content hidden by staff (reviews, messages).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE scan_hits (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subject_type text NOT NULL,
      subject_id bigint NOT NULL,
      field text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('prohibited_word','phone','wechat','qq','email','url')),
      match text NOT NULL,
      category text,
      "start" integer NOT NULL CHECK ("start" >= 0),
      "end" integer NOT NULL CHECK ("end" > "start"),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX scan_hits_subject_idx ON scan_hits (subject_type, subject_id, field, "start")`,
    `CREATE TABLE reports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reporter_id bigint REFERENCES users(id),
      target_type text NOT NULL CHECK (target_type IN ('listing','review','message','user')),
      target_id bigint NOT NULL,
      target_user_id bigint REFERENCES users(id),
      reason text NOT NULL,
      detail text NOT NULL DEFAULT '',
      case_id bigint REFERENCES cases(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX reports_target_idx ON reports (target_type, target_id, id)`,
    `CREATE INDEX reports_case_idx ON reports (case_id, id)`,
    `CREATE INDEX reports_reporter_idx ON reports (reporter_id, id DESC) WHERE reporter_id IS NOT NULL`,
    `CREATE TABLE sanctions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      kind text NOT NULL CHECK (kind IN ('warn','suspend','ban','takedown')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','expired','revoked')),
      reason text NOT NULL,
      note text NOT NULL DEFAULT '',
      days integer CHECK (days BETWEEN 1 AND 365),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz,
      case_id bigint REFERENCES cases(id),
      subject_type text,
      subject_id bigint,
      created_by bigint REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_by bigint REFERENCES users(id),
      revoke_note text,
      CHECK ((kind = 'suspend') = (days IS NOT NULL AND ends_at IS NOT NULL))
    )`,
    `CREATE INDEX sanctions_user_idx ON sanctions (user_id, id DESC)`,
    `CREATE INDEX sanctions_expiry_idx ON sanctions (ends_at) WHERE status = 'active' AND ends_at IS NOT NULL`,
    `CREATE TABLE hidden_content (
      subject_type text NOT NULL CHECK (subject_type IN ('review','message')),
      subject_id bigint NOT NULL,
      case_id bigint REFERENCES cases(id),
      hidden_by bigint REFERENCES users(id),
      hidden_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subject_type, subject_id)
    )`,
  ]);
}
