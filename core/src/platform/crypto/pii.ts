import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { AppError } from '../http/problem';

/**
 * Personal data at rest (PIPL): the columns below hold `Sealed` text — AES-256-GCM under a key of the
 * keyring, never the clear value — and equality lookups go through an HMAC blind index (`*_bidx`).
 *
 * A sealed value is `pii1.<keyId>.<base64url(iv ‖ tag ‖ ciphertext)>`. The key id says which keyring entry
 * opens it, so old rows stay readable while a rotation moves them to the new key. The additional
 * authenticated data names the column (`users.phone`…), so a ciphertext copied into another column —
 * a payee account into a phone, say — fails authentication instead of being shown. Row ids are not bound:
 * most rows get their id from the database as they are inserted, and binding it would cost a round trip.
 */
export const PII_COLUMNS = [
  'users.phone',
  'users.real_name',
  'users.id_number',
  'phone_codes.phone',
  'payouts.account_name',
  'payouts.account_number',
  'notifications.recipient',
  'pii_key_checks.check_value',
] as const;
export type PiiColumn = (typeof PII_COLUMNS)[number];

declare const sealedBrand: unique symbol;
/** Ciphertext of one personal-data value. Only `PiiKeyring.seal` makes one, so plaintext cannot be written by mistake. */
export type Sealed = string & { readonly [sealedBrand]: true };

/** What a blind index is computed over; each kind has its own normalisation and its own HMAC domain. */
export type BlindIndexKind = 'phone' | 'id_number' | 'payee_account';

const FORMAT = 'pii1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The configuration is unusable: PII_KEY / PII_INDEX_KEY missing, malformed, or not this database's keys. Stops the start. */
export class PiiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiKeyError';
  }
}

/**
 * A sealed value failed authentication (tampered, truncated, moved from another column) or names a key
 * the keyring lacks. Answered as `personal_data_unreadable` (500): the value is never shown, and the
 * error handler logs it as a fault to look into.
 */
export class PiiUnreadableError extends AppError {
  constructor(
    readonly column: PiiColumn,
    readonly reason: string,
  ) {
    super('personal_data_unreadable');
    this.message = `personal data in ${column} cannot be opened: ${reason}`;
  }
}

interface DataKey {
  id: string;
  key: Buffer;
}

/** `keyId:base64key[,keyId:base64key…]` — the first entry encrypts, every entry decrypts. */
export function parseDataKeys(text: string): DataKey[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.length) throw new PiiKeyError('PII_KEY is empty: expected keyId:base64key[,keyId:base64key…]');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id))
      throw new PiiKeyError(
        `PII_KEY entry ${i + 1}: expected keyId:base64key with a key id of letters, digits, - or _ (at most 32)`,
      );
    if (seen.has(id)) throw new PiiKeyError(`PII_KEY names key id ${id} twice`);
    seen.add(id);
    return { id, key: decodeKey(entry.slice(colon + 1), `PII_KEY entry ${id}`) };
  });
}

/** A 32-byte key in base64 (standard or URL alphabet). */
export function decodeKey(b64: string, what: string): Buffer {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+=*$/.test(b64.trim()))
    throw new PiiKeyError(`${what}: expected 32 random bytes in base64 (openssl rand -base64 32)`);
  return key;
}

const subkey = (key: Buffer, info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));

/**
 * The data keys and the blind-index key of one process. Data keys rotate (`pii:rotate`); the index key
 * does not, so the unique indexes over `*_bidx` keep working across a rotation.
 */
export class PiiKeyring {
  private readonly keys: Map<string, Buffer>;
  private readonly primary: DataKey;
  private readonly indexKey: Buffer;

  constructor(dataKeys: readonly DataKey[], indexKey: Buffer) {
    const first = dataKeys[0];
    if (!first) throw new PiiKeyError('PII_KEY holds no key');
    // Each key is used through subkeys of its own purpose (HKDF), never directly.
    this.keys = new Map(dataKeys.map((k) => [k.id, subkey(k.key, 'jiangxin pii aes-256-gcm v1')]));
    this.primary = { id: first.id, key: this.keys.get(first.id)! };
    this.indexKey = subkey(indexKey, 'jiangxin pii blind index v1');
  }

  /** From the configuration's text values (PII_KEY, PII_INDEX_KEY). */
  static fromConfig(piiKey: string, indexKey: string): PiiKeyring {
    return new PiiKeyring(parseDataKeys(piiKey), decodeKey(indexKey, 'PII_INDEX_KEY'));
  }

  /** The key id new values are sealed under. */
  get primaryKeyId(): string {
    return this.primary.id;
  }

  /** Every key id this keyring can open. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Encrypts `value` for `column` under the primary key (or `keyId`, for the key checks). */
  seal(column: PiiColumn, value: string, keyId?: string): Sealed {
    const key = keyId === undefined ? this.primary : { id: keyId, key: this.keys.get(keyId) };
    if (!key.key) throw new PiiKeyError(`no key ${keyId} in PII_KEY`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    cipher.setAAD(aad(column, key.id));
    const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const body = Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
    return `${FORMAT}.${key.id}.${body}` as Sealed;
  }

  /** `seal` passing null through. */
  sealOrNull(column: PiiColumn, value: string | null | undefined): Sealed | null {
    return value === null || value === undefined ? null : this.seal(column, value);
  }

  /** Decrypts a value sealed for `column`; a value that does not authenticate throws `PiiUnreadableError`. */
  open(column: PiiColumn, sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== FORMAT) throw new PiiUnreadableError(column, 'not a sealed value');
    const [, keyId, body] = parts as [string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new PiiUnreadableError(column, `sealed under key ${keyId}, which PII_KEY does not hold`);
    const raw = Buffer.from(body, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new PiiUnreadableError(column, 'too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(aad(column, keyId));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new PiiUnreadableError(column, 'authentication failed (altered, or sealed for another column)');
    }
  }

  /** `open` passing null through. */
  openOrNull(column: PiiColumn, sealed: string | null | undefined): string | null {
    return sealed === null || sealed === undefined ? null : this.open(column, sealed);
  }

  /** The key id a sealed value names (null for anything else). */
  static keyIdOf(sealed: string): string | null {
    const parts = sealed.split('.');
    return parts.length === 3 && parts[0] === FORMAT ? parts[1]! : null;
  }

  /**
   * The blind index of `value`: HMAC-SHA256 (hex) under the index key, over the value's normal form, so
   * equal values (however spelled: `+86 138-0013-8000`, `13800138000`) match and nothing else is learnt.
   */
  blindIndex(kind: BlindIndexKind, value: string): string {
    return createHmac('sha256', this.indexKey)
      .update(`${kind}\u0000${normalize(kind, value)}`)
      .digest('hex');
  }

  /** `blindIndex` passing null through. */
  blindIndexOrNull(kind: BlindIndexKind, value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : this.blindIndex(kind, value);
  }

  /** A fingerprint of the index key, stored once so a start with another index key is refused. */
  indexKeyFingerprint(): string {
    return createHmac('sha256', this.indexKey).update('jiangxin pii index key check').digest('hex');
  }

  /** True when `a` and `b` are the same fingerprint (constant time). */
  static sameFingerprint(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

const aad = (column: PiiColumn, keyId: string) =>
  Buffer.from(`jiangxin/${FORMAT}/${column}/${keyId}`, 'utf8');

function normalize(kind: BlindIndexKind, value: string): string {
  const v = value.normalize('NFKC').trim();
  switch (kind) {
    case 'phone':
      return v.replace(/[\s\-()]/gu, '').replace(/^(\+|00)?86(?=1[3-9]\d{9}$)/u, '');
    case 'id_number':
      return v.replace(/\s/gu, '').toUpperCase();
    case 'payee_account':
      return v.replace(/\s/gu, '');
  }
}

/** A fresh random 32-byte key in base64, as PII_KEY and PII_INDEX_KEY hold them. */
export function generateKey(): string {
  return randomBytes(32).toString('base64');
}
