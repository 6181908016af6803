import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Env } from '../config';
import type { Database } from '../db/schema';
import { generateKey, PiiKeyError, PiiKeyring, PiiUnreadableError } from './pii';

/** The file the embedded (development) core keeps its generated keys in. */
export const EMBEDDED_KEY_FILE = 'pii-keys';

/** True where a generated key would be a mistake: production, or a PostgreSQL other instances may share. */
export function piiKeyRequired(env: Env): boolean {
  return (
    env.NODE_ENV === 'production' || Boolean(env.DATABASE_URL && /^postgres(ql)?:\/\//.test(env.DATABASE_URL))
  );
}

/**
 * The keyring of this process. PII_KEY and PII_INDEX_KEY when set. Otherwise, for the embedded
 * development database only, keys generated on first start into DATA_DIR/pii-keys (mode 600), so
 * `npm start` needs no configuration; production and PostgreSQL refuse to start without them, since a
 * generated key would differ per instance and vanish with the container.
 */
export function piiKeyringFromEnv(env: Env, onGenerated?: (file: string) => void): PiiKeyring {
  if (env.PII_KEY || env.PII_INDEX_KEY) {
    if (!env.PII_KEY) throw new PiiKeyError('PII_INDEX_KEY is set but PII_KEY is not: set both');
    if (!env.PII_INDEX_KEY) throw new PiiKeyError('PII_KEY is set but PII_INDEX_KEY is not: set both');
    return PiiKeyring.fromConfig(env.PII_KEY, env.PII_INDEX_KEY);
  }
  if (piiKeyRequired(env))
    throw new PiiKeyError(
      'PII_KEY and PII_INDEX_KEY are required in production and with PostgreSQL (personal data is encrypted at rest). ' +
        'Generate them with: echo "PII_KEY=k1:$(openssl rand -base64 32)"; echo "PII_INDEX_KEY=$(openssl rand -base64 32)" ' +
        '— and keep them backed up apart from the database (see deploy/README.md, "Personal data at rest").',
    );
  const file = path.join(env.DATA_DIR, EMBEDDED_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(env.DATA_DIR, { recursive: true });
    const text = `PII_KEY=dev1:${generateKey()}\nPII_INDEX_KEY=${generateKey()}\n`;
    // `wx`: two processes starting at once cannot both write a key; the loser reads the winner's.
    try {
      fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
      onGenerated?.(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const values = Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  if (!values['PII_KEY'] || !values['PII_INDEX_KEY'])
    throw new PiiKeyError(`${file} lacks PII_KEY or PII_INDEX_KEY: restore it from a backup`);
  return PiiKeyring.fromConfig(values['PII_KEY'], values['PII_INDEX_KEY']);
}

/** The known text each data key's check row seals. */
const CHECK_TEXT = 'jiangxin pii key check';

/**
 * Refuses a keyring that is not this database's, before any request is served: every data key id the
 * database knows must open its check row with the configured key of that id, the index key must have
 * the recorded fingerprint, and every key still in use (not retired by `pii:rotate`) must be configured.
 * Keys the database has not seen yet are recorded. Run after the migrations, at every start.
 */
export async function verifyPiiKeys(db: Kysely<Database>, keyring: PiiKeyring): Promise<void> {
  // Checked before anything is recorded, so a mistaken start leaves no trace (a wrong new key id
  // recorded here would otherwise block the next, corrected start), and again after recording what
  // was new, in case another instance recorded the same key id with another key meanwhile.
  checkKeys(await db.selectFrom('pii_key_checks').selectAll().execute(), keyring);
  await db
    .insertInto('pii_key_checks')
    .values([
      { kind: 'index', key_id: 'index', check_value: keyring.indexKeyFingerprint() },
      ...keyring.keyIds.map((id) => ({
        kind: 'data' as const,
        key_id: id,
        check_value: keyring.seal('pii_key_checks.check_value', CHECK_TEXT, id),
      })),
    ])
    .onConflict((oc) => oc.columns(['kind', 'key_id']).doNothing())
    .execute();
  checkKeys(await db.selectFrom('pii_key_checks').selectAll().execute(), keyring);
}

function checkKeys(
  rows: readonly { kind: 'data' | 'index'; key_id: string; check_value: string; retired_at: Date | null }[],
  keyring: PiiKeyring,
): void {
  const configured = new Set(keyring.keyIds);
  for (const row of rows) {
    if (row.kind === 'index') {
      if (!PiiKeyring.sameFingerprint(row.check_value, keyring.indexKeyFingerprint()))
        throw new PiiKeyError(
          'PII_INDEX_KEY is not the index key this database was written with: phone sign-in and duplicate checks would miss every existing row. Restore the original PII_INDEX_KEY.',
        );
      continue;
    }
    if (configured.has(row.key_id)) {
      let opened: string;
      try {
        opened = keyring.open('pii_key_checks.check_value', row.check_value);
      } catch (err) {
        if (!(err instanceof PiiUnreadableError)) throw err;
        opened = '';
      }
      if (opened !== CHECK_TEXT)
        throw new PiiKeyError(
          `PII_KEY entry ${row.key_id} is not the key this database knows as ${row.key_id}: it cannot decrypt the stored personal data. Restore the original key (a new key needs a new key id, added beside the old one).`,
        );
    } else if (row.retired_at === null) {
      throw new PiiKeyError(
        `The database may hold personal data encrypted under key ${row.key_id} (recorded, not retired), which PII_KEY does not hold. Add it back (${row.key_id}:…); a key leaves PII_KEY only after \`npm run -w core pii:rotate\`, run with another key first, has moved every value off it and retired it.`,
      );
    }
  }
}
