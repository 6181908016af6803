/**
 * The ceiling beside `GET /api/v1/ops/cases` (issue 15): a bare Fastify route in its own process that
 * sends the same SQL the core sends for that request — the staff check on the user's row, then the
 * queue's page query with the same text and parameters — through a plain `pg` pool of the core's size,
 * and answers `JSON.stringify` of the rows. No token check, no Kysely, no validation, no mapping: what
 * the request costs the database plus the least a Node server must do around it.
 *
 * The page query is taken from the core's own `listCases` at start-up (compiled once through a Kysely
 * instance whose driver only records it), so it cannot drift from what the core runs.
 */
import { OPS_ROUTES } from '@jiangxin/shared/ops/routes';
import Fastify from 'fastify';
import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import pg from 'pg';
import { listCases } from '../../core/src/modules/cases/queries';
import type { Database } from '../../core/src/platform/db/schema';

export interface BareQueueStart {
  cmd: 'start';
  databaseUrl: string;
  /** The staff member the bench queries as (admin: every kind), as in the core's request. */
  userId: number;
  query: Record<string, string>;
  poolSize: number;
}

async function pageQuery(userId: number, query: Record<string, string>): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const recorder = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      captured = e.query;
    },
  });
  await listCases(recorder, { userId, roles: ['admin'] }, OPS_ROUTES.listCases.query.parse(query));
  if (!captured) throw new Error('listCases sent no query');
  return captured;
}

process.once('message', async (m: BareQueueStart) => {
  const page = await pageQuery(m.userId, m.query);
  const pool = new pg.Pool({ connectionString: m.databaseUrl, max: m.poolSize });
  const app = Fastify({ logger: false });
  app.get('/queue', async (_req, reply) => {
    // The ops guard's statement, then the page; unnamed, as the core sends reads outside a transaction.
    await pool.query('select "staff_roles", "staff_disabled_at" from "users" where "id" = $1', [m.userId]);
    const { rows } = await pool.query({ text: page.sql, values: page.parameters as unknown[] });
    return reply
      .type('application/json')
      .send(JSON.stringify({ items: rows.slice(0, 50), nextCursor: null }));
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ type: 'ready', url, sql: page.sql });
  process.on('message', (c: { cmd?: string }) => {
    if (c.cmd === 'close')
      void app
        .close()
        .then(() => pool.end())
        .finally(() => process.exit(0));
  });
});
process.on('disconnect', () => process.exit(0));
