import type { Logger } from 'pino';
import type { FileStorage } from '../modules/files/storage';
import type { SmsSender } from '../modules/notifications/sms';
import type { PaymentGateways } from '../modules/payments/gateway';
import type { Env } from './config';
import type { PiiKeyring } from './crypto/pii';
import type { Db } from './db/database';
import type { AccessTokens } from './http/auth';

/**
 * Everything a command, query or route needs from the outside world, passed explicitly (no globals), so
 * tests build one with a real database and a controllable clock.
 */
export interface AppContext {
  readonly env: Env;
  readonly db: Db;
  readonly log: Logger;
  /** The current time. Tests move it to trigger deadlines. */
  now(): Date;
  readonly tokens: AccessTokens;
  readonly gateways: PaymentGateways;
  readonly storage: FileStorage;
  readonly sms: SmsSender;
  /** Base URL the outside world reaches this service at (gateway notify URLs are built from it). */
  readonly publicUrl: string;
  /** Seals and opens personal data at rest, and computes its blind indexes (platform/crypto/pii.ts). */
  readonly pii: PiiKeyring;
}
