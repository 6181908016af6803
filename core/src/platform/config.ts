import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * All configuration comes from environment variables, validated once at start. A bad value stops the
 * process with a message naming the variable. README.md lists every variable.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), 'data')),
  DATABASE_URL: z.string().optional(),
  DATABASE_READ_URL: z.string().optional(),
  /**
   * PostgreSQL time bounds, so no request waits on a dead or stalled database (a request in an outage is
   * answered 503 within about DB_QUERY_TIMEOUT_MS): how long to wait for a connection (connecting, or a
   * free one in the pool); how long the server may run one statement before cancelling it; and how long
   * this process waits for any answer (keep it above the statement timeout: it only fires when the
   * server cannot answer at all, e.g. a network partition). Migrations and the CLI tools run without them.
   */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(4000),
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /**
   * With DATABASE_READ_URL: how long a read waits to connect to the replica before it runs on the
   * primary instead, and how long reads then stay on the primary before the replica is tried again
   * (platform/db/replica.ts).
   */
  DB_REPLICA_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).default(1000),
  DB_REPLICA_RETRY_MS: z.coerce.number().int().min(50).default(5000),
  /**
   * Send the statements of transactions to PostgreSQL as named (prepared) statements, parsed once per
   * connection instead of on every call (platform/db/prepared.ts). Turn off behind a pooler that cannot
   * keep them (PgBouncer in transaction mode before 1.21).
   */
  DB_PREPARED_STATEMENTS: bool.default(true),
  REDIS_URL: z.string().optional(),
  /** Namespaces this deployment's socket.io channels on a shared Redis. */
  REDIS_KEY_PREFIX: z.string().default('jiangxin'),
  /** A Redis command of the L2 cache or the socket.io adapter slower than this fails (the cache then reads the database). */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).default(250),
  JWT_SECRET: z.string().min(32).optional(),
  /**
   * Personal data at rest (platform/crypto/pii.ts): `keyId:base64key[,keyId:base64key…]`, 32-byte keys;
   * the first encrypts, all decrypt (rotation: `pii:rotate`). PII_INDEX_KEY (32 bytes, base64) keys the
   * blind indexes and never rotates. Required in production and with PostgreSQL; the embedded default
   * generates both into DATA_DIR.
   */
  PII_KEY: z
    .string()
    .regex(/^\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_=-]+\s*(,\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_=-]+\s*)*$/, {
      error: 'expected keyId:base64key[,keyId:base64key…]',
    })
    .optional(),
  PII_INDEX_KEY: z.string().min(40).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).default(30),
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(1000),
  PAYMENT_TIMEOUT_MINUTES: z.coerce.number().int().min(1).default(30),
  ACCEPTANCE_TIMEOUT_HOURS: z.coerce.number().int().min(1).default(48),
  AUTO_COMPLETE_DAYS: z.coerce.number().int().min(1).default(7),
  /** Sign-ups accepted per client address per hour (spam and account farming). */
  REGISTER_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(30),
  /** Writes (POST/PUT/PATCH/DELETE) per signed-in user (or address) per minute on routes without their own limit. */
  WRITE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Failed sign-ins per account from one address per 15 minutes (the account: its username, email and phone together). */
  LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: z.coerce.number().int().min(1).default(10),
  /** Failed sign-ins per account from all addresses together per hour. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(50),
  /** Failed sign-ins per client address over all accounts per 15 minutes (password spraying). */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  /** Failed sign-ins over the whole service per minute; beyond it sign-in pauses (credential stuffing). */
  LOGIN_FAILURES_GLOBAL_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Legacy switch kept for scripts: 0 turns background jobs off (same as JOBS_ENABLED=false). */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(15),
  /** Whether this process runs background jobs (pg-boss workers and schedules). */
  JOBS_ENABLED: bool.default(true),
  /** Default seconds between runs of each periodic job (before TIME_SCALE). */
  JOB_INTERVAL_SECONDS: z.coerce.number().positive().default(15),
  /** Per-job overrides, e.g. `notifications=5,sla-escalation=60` (names in platform/jobs/schedule.ts). */
  JOB_INTERVALS: z
    .string()
    .regex(/^[a-z-]+=\d+(\.\d+)?(,[a-z-]+=\d+(\.\d+)?)*$/, 'expected name=seconds,name=seconds')
    .optional(),
  /** Cron (China time) of the daily reconciliation of yesterday. */
  RECONCILE_CRON: z.string().default('0 2 * * *'),
  /** Days of events the hot `events` table keeps (older ones move to `events_archive`; 0 keeps all). */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** Cron (China time) of the daily ledger check (`ledger:check` as a job; its result is in /metrics). */
  LEDGER_CHECK_CRON: z.string().default('30 3 * * *'),
  /** Speeds up business time: order deadlines, SLAs, evidence windows, job intervals, notification retries (60: an hour passes in a minute). */
  TIME_SCALE: z.coerce.number().positive().default(1),
  /** smtp://user:pass@host:port (smtps:// for TLS). Unset: email is disabled and emails are marked skipped. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().default('匠心 <no-reply@jiangxin.local>'),
  /**
   * Aliyun SMS (短信服务). With an access key set, SMS goes to Aliyun's SendSms; unset, to the development
   * sender (the log). ALIYUN_SMS_TEMPLATES maps our template names to approved codes:
   * `verification_code=SMS_123,order_paid=SMS_456`.
   */
  ALIYUN_SMS_ENDPOINT: z.string().url().default('https://dysmsapi.aliyuncs.com/'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().min(1).default('匠心'),
  ALIYUN_SMS_TEMPLATES: z
    .string()
    .regex(/^(\s*[a-z_]+=SMS_\d+\s*)(,\s*[a-z_]+=SMS_\d+\s*)*$/, 'expected name=SMS_123,name=SMS_456')
    .optional(),
  /** Verification codes one phone may be sent per day, and one address may request per hour. */
  SMS_CODES_PER_PHONE_PER_DAY: z.coerce.number().int().min(1).default(10),
  SMS_CODES_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** Delivery attempts of one notification before it is marked failed. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  /** First retry delay of a notification; doubles each attempt (capped at one hour). */
  NOTIFY_RETRY_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Object storage for uploaded files over the S3 API (AWS S3, Aliyun OSS, Tencent COS, MinIO). With
   * S3_BUCKET set, files go to the bucket (required with instances on several hosts); unset, to
   * DATA_DIR/files on local disk. S3_ENDPOINT unset means AWS itself; S3_PUBLIC_ENDPOINT is the address
   * presigned download URLs name when clients reach the bucket by another one than the core (an OSS
   * internal endpoint). S3_PRESIGN_TTL_SECONDS: how long a presigned picture URL works; 0 streams every
   * download through the core.
   */
  S3_ENDPOINT: z.string().url().optional(),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  S3_PRESIGN_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALIPAY_APP_ID: z.string().optional(),
  ALIPAY_PUBLIC_KEY: z.string().optional(),
  ALIPAY_PRIVATE_KEY: z.string().optional(),
  ALIPAY_GATEWAY_URL: z.string().url().optional(),
  WECHATPAY_MCHID: z.string().optional(),
  WECHATPAY_APPID: z.string().optional(),
  WECHATPAY_APIV3_KEY: z.string().length(32).optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY: z.string().optional(),
  WECHATPAY_PLATFORM_SERIAL: z.string().optional(),
  WECHATPAY_PRIVATE_KEY: z.string().optional(),
  WECHATPAY_MERCHANT_SERIAL: z.string().optional(),
  WECHATPAY_GATEWAY_URL: z.string().url().optional(),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SANDBOX_TIME_SCALE: z.coerce.number().positive().default(1),
  DEMO_PASSWORD: z.string().min(8).default('jiangxin-demo'),
  SEED: z.coerce.number().int().default(20261126),
  SEED_SCALE: z.enum(['small', 'medium', 'large']).default('small'),
  TRUST_PROXY: bool.default(false),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; throws one error listing every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
