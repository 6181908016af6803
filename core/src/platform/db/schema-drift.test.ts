import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../test/harness';
import type { Db } from './database';

/**
 * The row types in schema.ts (and ./tables/) are written by hand; this compares them with a freshly
 * migrated database, so a migration that adds, drops or changes a column fails here until they agree.
 *
 * Compared for every table of the `public` schema: that schema.ts's `Database` has the table and the table
 * has each of its columns (and no other); nullability (`| null`); the type family of the selected type;
 * the literal union of a text column that a CHECK (col IN (…)) or an enum type limits; and whether an
 * insert may leave the column out. Not compared: the `pgboss` schema (pg-boss's own tables, created by
 * pg-boss when the jobs start, never queried through Kysely) and Kysely's migration bookkeeping
 * (`kysely_migration`, `kysely_migration_lock`).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA_FILE = path.join(here, 'schema.ts');
const CORE_TSCONFIG = path.resolve(here, '../../../tsconfig.json');

const NOT_ROW_TYPES = new Set(['kysely_migration', 'kysely_migration_lock']);

/**
 * Columns where schema.ts is stricter than the catalog on purpose, and why. Any other NOT NULL column with
 * a default or identity is `Generated<…>` (or a `ColumnType` whose insert type takes `undefined`), a
 * computed (GENERATED ALWAYS AS) column is `GeneratedAlways<…>`, a NOT NULL column without a default is
 * never optional on insert, and a column the catalog calls nullable has `| null`.
 */
const STRICTER_ON_PURPOSE: Record<string, { allows: 'required on insert' | 'not nullable'; why: string }> = {
  'audit_log.data': {
    allows: 'required on insert',
    why: 'the row hash covers it, so the writer must store exactly what it hashed',
  },
  'services.search_text': {
    allows: 'not nullable',
    why: 'computed with || from NOT NULL columns, so never null, though PostgreSQL marks computed columns nullable',
  },
};

/**
 * What each PostgreSQL type reads back as through both drivers. BIGINT and NUMERIC (and BIGINT[]) are
 * numbers because database.ts installs parsers for them; the last test below checks that premise.
 */
const PG_FAMILY: Record<string, Family> = {
  int2: 'number',
  int4: 'number',
  int8: 'number',
  numeric: 'number',
  float4: 'number',
  float8: 'number',
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  uuid: 'string',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  date: 'Date',
  json: 'json',
  jsonb: 'json',
};

type Family = 'number' | 'string' | 'boolean' | 'Date' | 'json';

interface ColumnShape {
  /** `string`, `number[]`, … ; `?` when it could not be classified. */
  family: string;
  nullable: boolean;
  /** The values a literal union (TS) or a CHECK IN list / enum (database) allows, sorted; null when any. */
  literals: string[] | null;
  /** An insert may leave it out (TS), or the database fills it in (database). */
  insertOptional: boolean;
  /** No insert may set it: `GeneratedAlways<…>` (TS), a GENERATED ALWAYS AS (…) column (database). */
  computed: boolean;
}

interface TsColumn extends ColumnShape {
  /** Selected as `unknown`: a JSON column whose readers must narrow it, null included. */
  opaque: boolean;
  /** Where the column is declared, relative to this folder (schema.ts, tables/cases.ts). */
  where: string;
  text: string;
}

interface DbColumn extends ColumnShape {
  text: string;
}

// ————— schema.ts, through the type checker —————

function readSchemaTs(): Map<string, Map<string, TsColumn>> {
  const config = ts.readConfigFile(CORE_TSCONFIG, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(CORE_TSCONFIG));
  // Row types need no ambient Node types; leaving them out loads a hundred fewer files.
  const program = ts.createProgram([SCHEMA_FILE], { ...options, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SCHEMA_FILE);
  // An import that does not resolve would read as `any` (a JSON column) below: refuse instead.
  const errors = program
    .getSourceFiles()
    .filter((f) => f.fileName.startsWith(`${here}/`))
    .flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost(options)));
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const databaseSymbol =
    moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'Database');
  if (!databaseSymbol) throw new Error('schema.ts exports no Database interface');
  const database = checker.getDeclaredTypeOfSymbol(databaseSymbol);

  const tables = new Map<string, Map<string, TsColumn>>();
  for (const table of checker.getPropertiesOfType(database)) {
    const columns = new Map<string, TsColumn>();
    for (const column of checker.getPropertiesOfType(checker.getTypeOfSymbol(table))) {
      columns.set(column.name, tsColumn(checker, column));
    }
    tables.set(table.name, columns);
  }
  return tables;
}

function tsColumn(checker: ts.TypeChecker, column: ts.Symbol): TsColumn {
  const declared = checker.getTypeOfSymbol(column);
  // Generated<T>, ColumnType<S, I, U> and the aliases built on them carry their types as properties.
  const selectProp = declared.getProperty('__select__');
  const insertProp = declared.getProperty('__insert__');
  const select = selectProp ? checker.getTypeOfSymbol(selectProp) : declared;
  const insert = insertProp ? checker.getTypeOfSymbol(insertProp) : declared;
  const { family, nullable, literals } = classify(checker, select);
  const decl = column.declarations?.[0];
  const where = decl ? path.relative(here, decl.getSourceFile().fileName) : '?';
  return {
    family,
    nullable,
    literals,
    opaque: Boolean(select.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)),
    insertOptional: insertMayBeLeftOut(insert),
    computed: Boolean(insert.flags & ts.TypeFlags.Never),
    where,
    text: checker.typeToString(declared, undefined, ts.TypeFormatFlags.NoTruncation),
  };
}

const partsOf = (t: ts.Type): ts.Type[] => (t.isUnion() ? t.types : [t]);

/** Kysely's rule (NullableInsertKeys): optional when the insert type admits undefined or null; never = not insertable. */
function insertMayBeLeftOut(insert: ts.Type): boolean {
  if (insert.flags & ts.TypeFlags.Never) return true;
  return partsOf(insert).some(
    (p) => p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Unknown | ts.TypeFlags.Any),
  );
}

function classify(
  checker: ts.TypeChecker,
  t: ts.Type,
): Pick<ColumnShape, 'family' | 'nullable' | 'literals'> {
  // `unknown` swallows `| null`: it says nothing about either, and is only a JSON column's type.
  if (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any))
    return { family: 'json', nullable: true, literals: null };
  const parts = partsOf(t);
  const nullable = parts.some((p) => p.flags & ts.TypeFlags.Null);
  const rest = parts.filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  const families = new Set(rest.map((p) => familyOf(checker, p)));
  if (families.size !== 1) return { family: `? (${[...families].join(' | ')})`, nullable, literals: null };
  const literals = rest.every((p) => p.isStringLiteral() || p.isNumberLiteral())
    ? rest.map((p) => String((p as ts.LiteralType).value)).sort()
    : null;
  return { family: [...families][0] ?? '?', nullable, literals };
}

function familyOf(checker: ts.TypeChecker, p: ts.Type): string {
  if (p.flags & ts.TypeFlags.NumberLike) return 'number';
  if (p.flags & ts.TypeFlags.StringLike) return 'string';
  if (p.flags & ts.TypeFlags.BooleanLike) return 'boolean';
  // A branded string (`Sealed`: string & { brand }) is text in the database.
  if (p.isIntersection() && p.types.some((t) => t.flags & ts.TypeFlags.StringLike)) return 'string';
  if (checker.isArrayType(p)) {
    const element = checker.getTypeArguments(p as ts.TypeReference)[0];
    return `${element ? familyOf(checker, element) : '?'}[]`;
  }
  if (p.getSymbol()?.name === 'Date') return 'Date';
  if (p.flags & (ts.TypeFlags.Object | ts.TypeFlags.NonPrimitive)) return 'json';
  return `? (${checker.typeToString(p)})`;
}

// ————— the migrated database —————

interface DbColumnRow {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  udt_name: string;
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
  elem_name: string | null;
  labels: string[] | null;
}

async function readDatabase(db: Db): Promise<Map<string, Map<string, DbColumn>>> {
  const { rows } = await sql<DbColumnRow>`
    SELECT c.table_name, c.column_name, c.is_nullable, c.udt_name, c.column_default, c.is_identity,
           c.is_generated, e.typname AS elem_name,
           (SELECT array_agg(l.enumlabel::text ORDER BY l.enumlabel)
              FROM pg_enum l WHERE l.enumtypid = coalesce(e.oid, t.oid)) AS labels
      FROM information_schema.columns c
      JOIN information_schema.tables tb
        ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
      JOIN pg_namespace n ON n.nspname = c.udt_schema
      JOIN pg_type t ON t.typnamespace = n.oid AND t.typname = c.udt_name
      LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
     WHERE c.table_schema = 'public'
     ORDER BY c.table_name, c.ordinal_position`.execute(db.write);
  const inLists = await checkInLists(db);

  const tables = new Map<string, Map<string, DbColumn>>();
  for (const r of rows) {
    if (NOT_ROW_TYPES.has(r.table_name)) continue;
    const element = r.elem_name ?? r.udt_name;
    const isEnum = r.labels !== null;
    const base = isEnum ? 'string' : (PG_FAMILY[element] ?? `? (no mapping for ${element})`);
    const family = r.elem_name ? `${base}[]` : base;
    const origin = originOf(r);
    // Arrays' element values are not compared (no array column has a CHECK on its elements).
    const literals = r.elem_name
      ? null
      : isEnum
        ? r.labels
        : (inLists.get(`${r.table_name}.${r.column_name}`) ?? null);
    const quote = (v: string) => (base === 'string' ? `'${v}'` : v);
    const text = [
      r.elem_name ? `${r.elem_name}[]` : r.udt_name,
      literals ? `IN (${literals.map(quote).join(', ')})` : '',
      r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL',
      origin ?? '',
    ]
      .filter(Boolean)
      .join(' ');
    const columns = tables.get(r.table_name) ?? new Map<string, DbColumn>();
    tables.set(r.table_name, columns);
    columns.set(r.column_name, {
      family,
      nullable: r.is_nullable === 'YES',
      literals,
      insertOptional: origin !== null || r.is_nullable === 'YES',
      computed: r.is_generated === 'ALWAYS',
      text,
    });
  }
  return tables;
}

/** How the database fills the column in when an insert leaves it out (null: it does not). */
function originOf(r: DbColumnRow): string | null {
  if (r.is_identity === 'YES') return 'IDENTITY';
  if (r.is_generated === 'ALWAYS') return 'GENERATED ALWAYS AS (…)';
  if (r.column_default !== null) return `DEFAULT ${r.column_default}`;
  return null;
}

/**
 * The value lists of single-column CHECK constraints of the form `col IN (…)` (PostgreSQL shows them as
 * `col = ANY (ARRAY[…])`), optionally `col IS NULL OR col IN (…)`. Keyed `table.column`; sorted values.
 */
async function checkInLists(db: Db): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string; def: string }>`
    SELECT cl.relname AS table_name, a.attname AS column_name, pg_get_constraintdef(con.oid) AS def
      FROM pg_constraint con
      JOIN pg_class cl ON cl.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
     WHERE con.contype = 'c' AND n.nspname = 'public' AND cardinality(con.conkey) = 1`.execute(db.write);
  const lists = new Map<string, string[]>();
  for (const r of rows) {
    const col = `"?${r.column_name}"?`;
    const m = new RegExp(
      `^CHECK \\(+(?:${col} IS NULL\\) OR \\()?${col} = ANY \\(\\(?ARRAY\\[([^\\]]*)\\]\\)?(?:::[\\w ]+\\[\\])?\\)\\)+$`,
    ).exec(r.def);
    if (!m?.[1]) continue;
    const values = m[1]
      .split(',')
      .map((v) => v.trim().replace(/::[\w ]+$/, ''))
      .map((v) => (v.startsWith("'") ? v.slice(1, -1).replaceAll("''", "'") : v))
      .sort();
    const key = `${r.table_name}.${r.column_name}`;
    const known = lists.get(key);
    lists.set(key, known ? known.filter((v) => values.includes(v)) : values);
  }
  return lists;
}

// ————— the comparison —————

function compare(
  dbTables: Map<string, Map<string, DbColumn>>,
  tsTables: Map<string, Map<string, TsColumn>>,
): string[] {
  const problems: string[] = [];
  for (const table of [...new Set([...dbTables.keys(), ...tsTables.keys()])].sort()) {
    const dbCols = dbTables.get(table);
    const tsCols = tsTables.get(table);
    if (!tsCols) {
      problems.push(`${table}: db has the table, schema.ts's Database does not`);
      continue;
    }
    if (!dbCols) {
      problems.push(`${table}: schema.ts's Database has it, the db has no such table`);
      continue;
    }
    for (const name of [...new Set([...dbCols.keys(), ...tsCols.keys()])].sort()) {
      const d = dbCols.get(name);
      const t = tsCols.get(name);
      const at = `${table}.${name}`;
      if (!t) {
        problems.push(`${at}: db says ${d?.text}, schema.ts has no such column`);
        continue;
      }
      const says = (what: string) =>
        `${at}: db says ${d?.text ?? 'no such column'}, ${t.where} says ${t.text}${what}`;
      if (!d) {
        problems.push(says(''));
        continue;
      }
      const wrong: string[] = [];
      if (d.family !== t.family) wrong.push(`type ${t.family}, not ${d.family}`);
      const stricter = STRICTER_ON_PURPOSE[at]?.allows;
      if (d.nullable && !t.nullable && stricter !== 'not nullable')
        wrong.push('not nullable, but the column is');
      if (!d.nullable && t.nullable && !t.opaque) wrong.push('nullable, but the column is NOT NULL');
      if (d.literals && !sameList(d.literals, t.literals))
        wrong.push(`values ${t.literals ? t.literals.join('|') : 'any'}, not ${d.literals.join('|')}`);
      if (!d.nullable && d.insertOptional && !t.insertOptional && stricter !== 'required on insert')
        wrong.push('required on insert, but the db fills it in (Generated<…>)');
      if (d.computed && !t.computed) wrong.push('insertable, but the db computes it (GeneratedAlways<…>)');
      if (!d.insertOptional && t.insertOptional)
        wrong.push('optional on insert, but the column has no default');
      if (wrong.length) problems.push(says(` (${wrong.join('; ')})`));
    }
  }
  return problems;
}

const sameList = (a: string[], b: string[] | null) =>
  b !== null && a.length === b.length && a.every((v, i) => v === b[i]);

describe('schema.ts against the migrated database', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let dbTables: Map<string, Map<string, DbColumn>>;
  let tsTables: Map<string, Map<string, TsColumn>>;
  beforeAll(async () => {
    ({ db, drop } = await createTestDb());
    dbTables = await readDatabase(db);
    tsTables = readSchemaTs();
  });
  afterAll(async () => {
    await drop?.();
  });

  it('every table and column agrees: presence, type, nullability, literal values, insert defaults', () => {
    const problems = compare(dbTables, tsTables);
    expect(problems, `schema.ts differs from the migrations in ${problems.length} places`).toEqual([]);
  });

  it('each deliberate exception is still needed: schema.ts is stricter there than the database', () => {
    const stale = Object.entries(STRICTER_ON_PURPOSE).filter(([at, { allows }]) => {
      const [table = '', column = ''] = at.split('.');
      const d = dbTables.get(table)?.get(column);
      const t = tsTables.get(table)?.get(column);
      if (!d || !t) return true;
      return allows === 'required on insert'
        ? !(d.insertOptional && !t.insertOptional)
        : !(d.nullable && !t.nullable);
    });
    expect(stale.map(([at]) => at)).toEqual([]);
  });

  it('the drivers read BIGINT, NUMERIC, BIGINT[], timestamptz and jsonb back as the families above', async () => {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT 9007199254740991::int8 AS int8, 4.5::numeric AS numeric, '{1,2}'::int8[] AS int8s,
             now() AS timestamptz, '{"a":1}'::jsonb AS jsonb, 7::int2 AS int2`.execute(db.write);
    const row = rows[0] ?? {};
    expect(row['int8']).toBe(9007199254740991);
    expect(row['numeric']).toBe(4.5);
    expect(row['int8s']).toEqual([1, 2]);
    expect(row['timestamptz']).toBeInstanceOf(Date);
    expect(row['jsonb']).toEqual({ a: 1 });
    expect(row['int2']).toBe(7);
  });
});
