import { OPS_ROUTE_PERMISSIONS } from '@jiangxin/shared/ops/routes';
import type { FastifyInstance } from 'fastify';
import { requireStaff } from './auth';

const permissions: Record<string, string> = OPS_ROUTE_PERMISSIONS;

/**
 * Guards every route under `<prefix>/ops/`: the caller must be staff holding the permission declared for
 * the route in `shared/ops/routes.ts`, checked before validation. Registering an ops route that is not
 * declared there fails at start-up, so no route ships without a decision about who may use it.
 * Returns the `METHOD /path` of every ops route as they register (the authorization tests walk it).
 */
export function guardOpsRoutes(app: FastifyInstance, prefix: string): string[] {
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${prefix}/ops/`)) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      const key = `${method} ${route.url.slice(prefix.length)}`;
      registered.push(key);
      const permission = permissions[key];
      if (!permission)
        throw new Error(`ops route ${key} has no entry in OPS_ROUTE_PERMISSIONS (shared/src/ops/routes.ts)`);
      const guard = async (req: Parameters<typeof requireStaff>[0]) => {
        requireStaff(req, permission === 'staff' ? undefined : (permission as never));
      };
      const existing = route.preValidation;
      route.preValidation = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : guard;
    }
  });
  return registered;
}
