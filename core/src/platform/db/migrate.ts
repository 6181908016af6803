import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './database';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Runs DDL statements one at a time. PGlite's extended protocol refuses several statements in one call,
 * and one statement per call also makes a failing statement easy to spot.
 */
export async function runStatements(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Migrations are the timestamped files in core/src/migrations, applied in name order, each in a transaction. */
class FolderProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{14}-[a-z0-9-]+\.ts$/.test(f)).sort();
    const entries = await Promise.all(
      files.map(
        async (f) =>
          [
            f.replace(/\.ts$/, ''),
            (await import(pathToFileURL(path.join(MIGRATIONS_DIR, f)).href)) as Migration,
          ] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}

/** Brings the schema up to date. Throws (and leaves the failed migration unapplied) on error. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.write, provider: new FolderProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
