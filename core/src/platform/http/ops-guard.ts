import { OPS_ROUTE_PERMISSIONS } from '@jiangxin/shared/ops/routes';
import type { StaffRole } from '@jiangxin/shared/permissions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReadDb } from '../db/database';
import { requireStaff, requireUser } from './auth';
import { AppError } from './problem';

const permissions: Record<string, string> = OPS_ROUTE_PERMISSIONS;

/**
 * Guards every route under `<prefix>/ops/`: the caller must be staff holding the permission declared for
 * the route in `shared/ops/routes.ts`, checked before validation. Registering an ops route that is not
 * declared there fails at start-up, so no route ships without a decision about who may use it.
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
      const permission = permissions[key];
      if (!permission)
        throw new Error(`ops route ${key} has no entry in OPS_ROUTE_PERMISSIONS (shared/src/ops/routes.ts)`);
      const guard = async (req: FastifyRequest) => {
        await current(req);
        requireStaff(req, permission === 'staff' ? undefined : (permission as never));
      };
      const existing = route.preValidation;
      route.preValidation = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : guard;
    }
  });
  return registered;
}
