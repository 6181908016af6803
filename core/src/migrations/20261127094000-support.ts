import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Support chats (one conversation per customer question, its messages with private notes and
 * attachments, a read marker per side), canned replies with variables, and a few Chinese canned replies
 * to start with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE canned_replies (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      title text NOT NULL,
      body_zh text NOT NULL,
      body_en text NOT NULL DEFAULT '',
      shortcut text UNIQUE,
      created_by bigint REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE support_conversations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      subject text NOT NULL,
      order_id bigint REFERENCES orders(id),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
      case_id bigint REFERENCES cases(id),
      last_message_id bigint,
      user_last_read_message_id bigint NOT NULL DEFAULT 0,
      agent_last_read_message_id bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX support_conversations_user_idx ON support_conversations (user_id, id DESC)`,
    `CREATE INDEX support_conversations_case_idx ON support_conversations (case_id)`,
    `CREATE TABLE support_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversation_id bigint NOT NULL REFERENCES support_conversations(id),
      sender_kind text NOT NULL CHECK (sender_kind IN ('user','agent','system')),
      sender_id bigint REFERENCES users(id),
      is_note boolean NOT NULL DEFAULT false,
      content text NOT NULL,
      file_ids bigint[] NOT NULL DEFAULT '{}',
      canned_reply_id bigint REFERENCES canned_replies(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (NOT is_note OR sender_kind = 'agent'),
      CHECK ((sender_kind = 'system') = (sender_id IS NULL))
    )`,
    `CREATE INDEX support_messages_conversation_idx ON support_messages (conversation_id, id DESC)`,
    `INSERT INTO canned_replies (title, body_zh, body_en, shortcut) VALUES
      ('问候', '{{user.nickname}}您好，我是匠心客服{{agent.nickname}}，很高兴为您服务，请问有什么可以帮您？',
        'Hello {{user.nickname}}, this is {{agent.nickname}} from Jiangxin support. How can I help you?', 'hi'),
      ('订单核实', '{{user.nickname}}您好，我们正在核实订单 {{order.number}} 的情况，请稍候，核实后会第一时间回复您。',
        'Hello {{user.nickname}}, we are checking order {{order.number}} and will get back to you shortly.', 'check'),
      ('退款说明', '订单 {{order.number}} 的退款将原路退回，一般 1-3 个工作日到账，请注意查收。',
        'The refund for order {{order.number}} goes back the way you paid, usually within 1-3 working days.', 'refund'),
      ('站外交易提醒', '为保障您的资金安全，请勿通过微信、QQ 等站外方式交易，平台担保交易才能在发生纠纷时保护您的权益。',
        'For your safety, please do not pay outside the platform; only escrowed orders are protected in a dispute.', 'offsite'),
      ('结束语', '感谢您的耐心，如还有其他问题，欢迎随时联系匠心客服。祝您生活愉快！',
        'Thank you for your patience. Contact us any time if you need anything else.', 'bye')`,
  ]);
}
