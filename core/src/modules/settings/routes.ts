import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { getOpsSettings, updateOpsSettings } from './settings';

/** Thresholds staff work under: every staff member may read them, `config.manage` changes them. */
export async function registerSettingsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'getSettings', async () => getOpsSettings(ctx.db.fresh));
  opsRoute(app, 'updateSettings', async (req) =>
    ctx.db.transact((tx) => updateOpsSettings(tx, ctx.now(), req.staff.userId, req.body)),
  );
}
