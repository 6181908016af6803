import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { customerPage, orderPage } from './queries';

/** The drill-down pages: one customer, one order (declared in shared/ops/routes.ts, `cases.view`). */
export async function registerDrilldownRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'getCustomerPage', async (req) =>
    customerPage(ctx.db.fresh, ctx.pii, req.staff, req.params.id),
  );
  opsRoute(app, 'getOrderPage', async (req) => orderPage(ctx.db.fresh, req.staff, req.params.id));
}
