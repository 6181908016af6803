import type { ColumnType, Generated } from 'kysely';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

/** Row types of the ops support tables (migration 20261127094000). */
export interface SupportTables {
  canned_replies: {
    id: Generated<number>;
    title: string;
    body_zh: string;
    body_en: Generated<string>;
    shortcut: string | null;
    /** Macro effects (migration 20261206100000). */
    set_status: 'waiting' | 'resolved' | null;
    set_priority: number | null;
    add_tags: Generated<string[]>;
    created_by: number | null;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
  };
  support_conversations: {
    id: Generated<number>;
    user_id: number;
    subject: string;
    order_id: number | null;
    status: Generated<'open' | 'resolved'>;
    case_id: number | null;
    last_message_id: number | null;
    user_last_read_message_id: Generated<number>;
    agent_last_read_message_id: Generated<number>;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
  };
  support_messages: {
    id: Generated<number>;
    conversation_id: number;
    sender_kind: 'user' | 'agent' | 'system';
    sender_id: number | null;
    is_note: Generated<boolean>;
    content: string;
    file_ids: Generated<number[]>;
    canned_reply_id: number | null;
    created_at: TimestampDefault;
  };
}
