import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { Sealed } from '../crypto/pii';
import type { CasesTables } from './tables/cases';
import type { DisputeOpsColumns, DisputesTables } from './tables/disputes';
import type { ModerationTables } from './tables/moderation';
import type { NotificationsTables } from './tables/notifications';
import type { PayoutsTables } from './tables/payouts';
import type { PiiTables } from './tables/pii';
import type { RoutingTables } from './tables/routing';
import type { SupportTables } from './tables/support';
import type { TeamViewsTables } from './tables/team-views';

/**
 * Row types of every table, as Kysely sees them. The migrations in `core/src/migrations/` are the truth;
 * this file mirrors them, and schema-drift.test.ts compares it (with ./tables/) against a migrated
 * database. BIGINT and NUMERIC come back as JS numbers (see database.ts parsers).
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Id = Generated<number>;

export interface UsersTable {
  id: Id;
  username: string;
  email: string | null;
  /** Sealed (platform/crypto/pii.ts); equality through `phone_bidx`. */
  phone: Sealed | null;
  phone_bidx: string | null;
  password_hash: string;
  nickname: string;
  is_client: Generated<boolean>;
  is_freelancer: Generated<boolean>;
  phone_verified: Generated<boolean>;
  real_name_status: Generated<'unverified' | 'pending' | 'verified' | 'rejected'>;
  real_name: Sealed | null;
  id_number: Sealed | null;
  id_number_bidx: string | null;
  staff_roles: Generated<string[]>;
  status: Generated<'active' | 'suspended' | 'banned'>;
  suspended_until: NullableTimestamp;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  /** Set while a member of staff is disabled: no sign-in, no ops access (sanctions use `status`). */
  staff_disabled_at: NullableTimestamp;
  /** Optimistic lock of staff role and state changes. */
  staff_version: Generated<number>;
  last_login_at: NullableTimestamp;
}

export interface FreelancerProfilesTable {
  user_id: number;
  bio: Generated<string>;
  hourly_rate_fen: number | null;
  rating: Generated<number>;
  rating_count: Generated<number>;
  response_rate: Generated<number>;
  location: Generated<string>;
}

export interface ClientProfilesTable {
  user_id: number;
  company_name: Generated<string>;
  industry: Generated<string>;
  location: Generated<string>;
  rating: Generated<number>;
  rating_count: Generated<number>;
}

export interface RefreshTokensTable {
  id: string;
  user_id: number;
  family_id: string;
  secret_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: TimestampDefault;
}

export interface PhoneCodesTable {
  id: Id;
  phone: Sealed;
  phone_bidx: string;
  user_id: number | null;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: TimestampDefault;
}

export interface CategoriesTable {
  id: Id;
  slug: string;
  name: string;
  name_zh: string;
  parent_id: number | null;
  sort_order: Generated<number>;
  is_active: Generated<boolean>;
}

export interface SkillsTable {
  id: Id;
  name: string;
  name_zh: string;
  category_id: number;
}

export type ServiceStatusColumn = 'draft' | 'pending_review' | 'published' | 'rejected' | 'suspended';

export interface ServicesTable {
  id: Id;
  freelancer_id: number;
  title: string;
  title_zh: string;
  description: string;
  category_id: number;
  status: ServiceStatusColumn;
  rating: Generated<number>;
  rating_count: Generated<number>;
  views_count: Generated<number>;
  orders_completed: Generated<number>;
  starting_price_fen: number;
  min_delivery_days: number;
  review_note: string | null;
  /** Computed by PostgreSQL from the titles and description: never written. */
  search_text: GeneratedAlways<string>;
  submitted_at: NullableTimestamp;
  published_at: NullableTimestamp;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ServicePackagesTable {
  service_id: number;
  tier: 'basic' | 'standard' | 'premium';
  title: string;
  description: Generated<string>;
  price_fen: number;
  delivery_days: number;
  revisions: number;
}

export interface ServiceSkillsTable {
  service_id: number;
  skill_id: number;
}

export type OrderStatusColumn =
  | 'awaiting_payment'
  | 'pending_acceptance'
  | 'in_progress'
  | 'delivered'
  | 'revision_requested'
  | 'completed'
  | 'cancelled'
  | 'disputed';

export interface OrdersTable {
  id: Id;
  order_number: string;
  client_id: number;
  freelancer_id: number;
  service_id: number;
  tier: 'basic' | 'standard' | 'premium';
  service_title: string;
  amount_fen: number;
  platform_fee_fen: number | null;
  delivery_days: number;
  revisions_allowed: number;
  revisions_used: Generated<number>;
  requirements: Generated<string>;
  status: OrderStatusColumn;
  cancellation_requested_by: 'client' | 'freelancer' | null;
  cancellation_reason: string | null;
  payment_deadline: NullableTimestamp;
  acceptance_deadline: NullableTimestamp;
  delivery_deadline: NullableTimestamp;
  auto_complete_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  accepted_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface OrderDeliveriesTable {
  id: Id;
  order_id: number;
  message: string;
  file_ids: Generated<number[]>;
  created_at: TimestampDefault;
}

export interface OrderRevisionsTable {
  id: Id;
  order_id: number;
  message: string;
  created_at: TimestampDefault;
}

export interface OrderEventsTable {
  id: Id;
  order_id: number;
  action: string;
  from_status: OrderStatusColumn | null;
  to_status: OrderStatusColumn;
  actor_user_id: number | null;
  note: Generated<string>;
  created_at: TimestampDefault;
}

/** Its ops columns (evidence deadline, resolution, approvals) come from the disputes migration. */
export interface DisputesTable extends DisputeOpsColumns {
  id: Id;
  order_id: number;
  opened_by: number;
  reason: string;
  file_ids: Generated<number[]>;
  status: Generated<'open' | 'resolved'>;
  resolution: 'refund' | 'release' | 'split' | null;
  created_at: TimestampDefault;
  resolved_at: NullableTimestamp;
}

export interface PaymentsTable {
  id: Id;
  order_id: number;
  provider: 'alipay' | 'wechat';
  out_trade_no: string;
  amount_fen: number;
  status: Generated<'pending' | 'succeeded' | 'failed' | 'closed'>;
  provider_trade_no: string | null;
  failure_reason: string | null;
  pay_url: string | null;
  paid_at: NullableTimestamp;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface PaymentNotificationsTable {
  id: Id;
  provider: 'alipay' | 'wechat';
  out_trade_no: string | null;
  outcome: 'applied' | 'duplicate' | 'failed_payment' | 'rejected';
  reason: Generated<string>;
  headers: Generated<Record<string, unknown>>;
  body: string;
  created_at: TimestampDefault;
}

export interface RefundsTable {
  id: Id;
  order_id: number;
  payment_id: number;
  out_request_no: string;
  amount_fen: number;
  status: Generated<'pending' | 'succeeded' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type LedgerAccountKind =
  | 'user_available'
  | 'user_payout_pending'
  | 'escrow'
  | 'platform_fees'
  | 'gateway_clearing';

export interface LedgerAccountsTable {
  id: Id;
  code: string;
  kind: LedgerAccountKind;
  user_id: number | null;
  order_id: number | null;
  /** Cached balance, kept in the posting's transaction; null for hot platform accounts (sum on demand). */
  balance: number | null;
  allow_negative: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface LedgerJournalsTable {
  id: Id;
  kind: string;
  order_id: number | null;
  idempotency_key: string;
  description: Generated<string>;
  created_at: TimestampDefault;
}

export interface LedgerPostingsTable {
  id: Id;
  journal_id: number;
  account_id: number;
  amount_fen: number;
  balance_after: number | null;
  entry_type: string | null;
  created_at: TimestampDefault;
}

export interface IdempotencyKeysTable {
  id: Id;
  user_id: number;
  scope: string;
  key: string;
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
  created_at: TimestampDefault;
}

export interface EventsTable {
  id: Id;
  seq: number | null;
  type: string;
  aggregate_type: string;
  aggregate_id: number;
  /** Written as JSON text (appendEvent), read back parsed. */
  payload: ColumnType<unknown, string, string>;
  audience: Generated<number[]>;
  created_at: TimestampDefault;
}

/** Events moved out of the hot table by retention (platform/events/retention.ts); same columns. */
export interface EventsArchiveTable {
  id: number;
  seq: number;
  type: string;
  aggregate_type: string;
  aggregate_id: number;
  payload: ColumnType<unknown, string, string>;
  audience: number[];
  created_at: ColumnType<Date, Date | string, Date | string>;
  archived_at: TimestampDefault;
}

/** One row: the seq up to which `events` may be missing archived events. */
export interface EventRetentionTable {
  id: Generated<number>;
  archived_through: Generated<number>;
  updated_at: TimestampDefault;
}

export interface FilesTable {
  id: Id;
  owner_id: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: TimestampDefault;
}

export interface ConversationsTable {
  id: Id;
  order_id: number | null;
  service_id: number | null;
  /** `user1_id < user2_id`: one direct conversation per pair (and per order, when tied to one). */
  user1_id: number;
  user2_id: number;
  last_message_id: number | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ConversationParticipantsTable {
  conversation_id: number;
  user_id: number;
  last_read_message_id: Generated<number>;
}

export interface MessagesTable {
  id: Id;
  conversation_id: number;
  sender_id: number;
  type: 'text' | 'image' | 'file';
  content: Generated<string>;
  file_id: number | null;
  created_at: TimestampDefault;
}

export interface ReviewsTable {
  id: Id;
  order_id: number;
  service_id: number;
  author_id: number;
  target_user_id: number;
  direction: 'client_to_freelancer' | 'freelancer_to_client';
  rating: number;
  comment: Generated<string>;
  created_at: TimestampDefault;
}

/** Every table. The ops areas keep their row types in ./tables/, one file per area. */
export interface Database
  extends CasesTables,
    ModerationTables,
    DisputesTables,
    PayoutsTables,
    SupportTables,
    NotificationsTables,
    RoutingTables,
    TeamViewsTables,
    PiiTables {
  users: UsersTable;
  freelancer_profiles: FreelancerProfilesTable;
  client_profiles: ClientProfilesTable;
  refresh_tokens: RefreshTokensTable;
  phone_codes: PhoneCodesTable;
  categories: CategoriesTable;
  skills: SkillsTable;
  services: ServicesTable;
  service_packages: ServicePackagesTable;
  service_skills: ServiceSkillsTable;
  orders: OrdersTable;
  order_deliveries: OrderDeliveriesTable;
  order_revisions: OrderRevisionsTable;
  order_events: OrderEventsTable;
  disputes: DisputesTable;
  payments: PaymentsTable;
  payment_notifications: PaymentNotificationsTable;
  refunds: RefundsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_journals: LedgerJournalsTable;
  ledger_postings: LedgerPostingsTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  events_archive: EventsArchiveTable;
  event_retention: EventRetentionTable;
  files: FilesTable;
  conversations: ConversationsTable;
  conversation_participants: ConversationParticipantsTable;
  messages: MessagesTable;
  reviews: ReviewsTable;
}
