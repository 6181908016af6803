import { opsSettingsPatchSchema, opsSettingsSchema } from '@jiangxin/shared/ops/settings';
import type { AppContext } from '../../platform/context';
import { requireStaff } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { getOpsSettings, updateOpsSettings } from './settings';

const tags = ['ops: settings'];
const security = [{ bearer: [] }];

/** Thresholds staff work under: every staff member may read them, `config.manage` changes them. */
export async function registerSettingsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/ops/settings',
    {
      schema: {
        tags,
        security,
        summary: '运营配置 Ops thresholds in force',
        response: { 200: opsSettingsSchema },
      },
    },
    async (req) => {
      requireStaff(req);
      return getOpsSettings(ctx.db.read);
    },
  );
  app.put(
    '/ops/settings',
    {
      schema: {
        tags,
        security,
        summary: '修改运营配置 Change thresholds (SLA, maker-checker amounts, withdrawal limits); audited',
        body: opsSettingsPatchSchema,
        response: { 200: opsSettingsSchema },
      },
    },
    async (req) => {
      const staff = requireStaff(req, 'config.manage');
      return ctx.db.transact((tx) => updateOpsSettings(tx, ctx.now(), staff.userId, req.body));
    },
  );
}
