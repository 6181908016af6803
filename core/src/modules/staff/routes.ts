import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { createStaff, disableStaff, enableStaff, setStaffRoles } from './commands';
import { listStaff, staffDirectory } from './queries';

export interface StaffRoutesOptions {
  /**
   * Members with the console open now (from the live `/ops` stream, across instances); null when that is
   * not known (the stream is not running, or an instance did not answer).
   */
  onlineStaff?: () => Promise<ReadonlySet<number> | null>;
}

/**
 * Staff accounts and roles (`staff.manage`): list, create, set roles, disable and enable; audited. And
 * the directory every member who hands on cases reads (`cases.view`): active colleagues only.
 */
export async function registerStaffRoutes(
  app: HttpServer,
  ctx: AppContext,
  opts: StaffRoutesOptions = {},
): Promise<void> {
  opsRoute(app, 'staffDirectory', async (req) => {
    const online = opts.onlineStaff ? await opts.onlineStaff().catch(() => null) : null;
    return { items: await staffDirectory(ctx.db.fresh, { kind: req.query.kind, online }) };
  });
  // The primary: an admin reloading after a change must see it.
  opsRoute(app, 'listStaff', async () => ({ items: await listStaff(ctx.db.write) }));
  opsRoute(app, 'createStaff', async (req) => createStaff(ctx, req.staff, req.body));
  opsRoute(app, 'setStaffRoles', async (req) => setStaffRoles(ctx, req.staff, req.params.id, req.body));
  opsRoute(app, 'disableStaff', async (req) => disableStaff(ctx, req.staff, req.params.id, req.body));
  opsRoute(app, 'enableStaff', async (req) => enableStaff(ctx, req.staff, req.params.id, req.body));
}
