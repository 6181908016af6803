import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { PiiKeyring } from '../crypto/pii';
import type { Db } from './database';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Runs DDL statements one at a time. PGlite's extended protocol refuses several statements in one call,
 * and one statement per call also makes a failing statement easy to spot.
 */
export async function runStatements(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * What a migration may need beyond the database: the personal-data keyring, for a migration that must
 * encrypt existing rows (20261207130000). Absent for a fresh database's migrations (tests, benches).
 */
export interface MigrationContext {
  pii?: PiiKeyring;
}

/**
 * Migrations are the timestamped files in core/src/migrations, applied in name order, each in a
 * transaction; each `up(db, context)` gets the `MigrationContext` as its second argument.
 */
class FolderProvider implements MigrationProvider {
  constructor(private readonly context: MigrationContext) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{14}-[a-z0-9-]+\.ts$/.test(f)).sort();
    const entries = await Promise.all(
      files.map(
        async (f) =>
          [
            f.replace(/\.ts$/, ''),
            withContext(
              (await import(pathToFileURL(path.join(MIGRATIONS_DIR, f)).href)) as Migration,
              this.context,
            ),
          ] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}

function withContext(m: Migration, context: MigrationContext): Migration {
  const up = m.up as (db: Kysely<unknown>, context: MigrationContext) => Promise<void>;
  return { ...m, up: (db) => up(db, context) };
}

/** Applies the migrations up to and including `name` (tests of a migration on rows of the schema before it). */
export async function migrateUpTo(db: Db, name: string, context: MigrationContext = {}): Promise<void> {
  const migrator = new Migrator({ db: db.write, provider: new FolderProvider(context) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migrating to ${name} failed: ${String(error)}`, { cause: error });
}

/**
 * Brings the schema up to date. Throws (and leaves the failed migration unapplied) on error. `context.pii`
 * is needed when a pending migration encrypts existing rows (it says so when it is missing).
 */
export async function migrateToLatest(db: Db, context: MigrationContext = {}): Promise<string[]> {
  const migrator = new Migrator({ db: db.write, provider: new FolderProvider(context) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
