import { OPS_ROUTES, type OpsRouteDef } from '@jiangxin/shared/ops/routes';
import type { StaffRole } from '@jiangxin/shared/permissions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReadDb } from '../db/database';
import { requireStaff, requireUser } from './auth';
import { AppError } from './problem';

const declared: Record<string, OpsRouteDef> = OPS_ROUTES;

/**
 * Guards every route under `<prefix>/ops/`: the caller must be staff holding the permission declared for
 * the route in `shared/ops/routes.ts`, checked before validation, and the handler finds them on
 * `req.staff`. An ops route registered any other way than from its declaration (`opsRoute`, whose
 * operationId names it) fails at start-up, so no route ships without a decision about who may use it.
 * Returns the `METHOD /path` of every ops route as they register (the authorization tests walk it).
 *
 * With `db` (the primary), a staff token is checked against the account as it is now: a disabled member
 * is refused (`account_disabled`) and the roles are the stored ones, so disabling someone or changing
 * their roles takes effect on their next request rather than when their access token expires.
 */
export function guardOpsRoutes(app: FastifyInstance, prefix: string, db?: ReadDb): string[] {
  const registered: string[] = [];
  const current = async (req: FastifyRequest) => {
    const p = requireUser(req);
    if (!db || !p.staffRoles.length) return;
    const row = await db
      .selectFrom('users')
      .select(['staff_roles', 'staff_disabled_at'])
      .where('id', '=', p.userId)
      .executeTakeFirst();
    if (!row) throw new AppError('token_invalid');
    if (row.staff_disabled_at) throw new AppError('account_disabled');
    req.principal = { userId: p.userId, staffRoles: row.staff_roles as StaffRole[] };
  };
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${prefix}/ops/`)) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      const key = `${method} ${route.url.slice(prefix.length)}`;
      registered.push(key);
      const name = (route.schema as { operationId?: unknown } | undefined)?.operationId;
      const def = typeof name === 'string' && Object.hasOwn(declared, name) ? declared[name] : undefined;
      if (!def || `${def.method} ${def.path}` !== key)
        throw new Error(
          `ops route ${key} is not registered from its declaration in OPS_ROUTES (shared/src/ops/routes.ts); use opsRoute()`,
        );
      const permission = def.permission;
      const guard = async (req: FastifyRequest) => {
        await current(req);
        req.staff = requireStaff(req, permission === 'staff' ? undefined : permission);
      };
      const existing = route.preValidation;
      route.preValidation = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : guard;
    }
  });
  return registered;
}
