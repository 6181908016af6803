import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  createStaffBodySchema,
  setStaffRolesBodySchema,
  staffDirectoryQuerySchema,
  staffDirectorySchema,
  staffListSchema,
  staffMemberSchema,
  staffStateBodySchema,
} from '@jiangxin/shared/ops/staff';
import type { AppContext } from '../../platform/context';
import { requireStaff } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { createStaff, disableStaff, enableStaff, setStaffRoles } from './commands';
import { listStaff, staffDirectory } from './queries';

const tags = ['ops: staff'];
const security = [{ bearer: [] }];

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
  app.get(
    '/ops/staff/directory',
    {
      schema: {
        tags,
        security,
        summary: '员工名录 Active colleagues to hand a case to (names, roles, online now)',
        description:
          'Enabled staff with an active account, by nickname; with `kind`, only those who may handle cases of that kind (the ones `POST /ops/cases/:id/assign` accepts). No sign-in names or account dates.',
        querystring: staffDirectoryQuerySchema,
        response: { 200: staffDirectorySchema },
      },
    },
    async (req) => {
      requireStaff(req, 'cases.view');
      const online = opts.onlineStaff ? await opts.onlineStaff().catch(() => null) : null;
      return { items: await staffDirectory(ctx.db.read, { kind: req.query.kind, online }) };
    },
  );

  app.get(
    '/ops/staff',
    {
      schema: {
        tags,
        security,
        summary: '员工账号 Staff accounts with roles and state',
        response: { 200: staffListSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'staff.manage');
      // The primary: an admin reloading after a change must see it.
      return { items: await listStaff(ctx.db.write) };
    },
  );

  app.post(
    '/ops/staff',
    {
      schema: {
        tags,
        security,
        summary: '新建员工账号 Create a staff account (audited)',
        body: createStaffBodySchema,
        response: { 201: staffMemberSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createStaff(ctx, requireStaff(req, 'staff.manage'), req.body)),
  );

  app.put(
    '/ops/staff/:id/roles',
    {
      schema: {
        tags,
        security,
        summary: '设置员工角色 Set a member’s roles (version-checked, audited)',
        description:
          'Refused: your own administrator role (422), the last active administrator’s (409), a stale `version` (409).',
        params: idParamSchema,
        body: setStaffRolesBodySchema,
        response: { 200: staffMemberSchema },
      },
    },
    async (req) => setStaffRoles(ctx, requireStaff(req, 'staff.manage'), req.params.id, req.body),
  );

  app.post(
    '/ops/staff/:id/disable',
    {
      schema: {
        tags,
        security,
        summary: '停用员工账号 Disable: no sign-in, sessions revoked (audited)',
        description: 'Refused: yourself (422), the last active administrator (409), a stale `version` (409).',
        params: idParamSchema,
        body: staffStateBodySchema,
        response: { 200: staffMemberSchema },
      },
    },
    async (req) => disableStaff(ctx, requireStaff(req, 'staff.manage'), req.params.id, req.body),
  );

  app.post(
    '/ops/staff/:id/enable',
    {
      schema: {
        tags,
        security,
        summary: '启用员工账号 Enable a disabled staff account (audited)',
        params: idParamSchema,
        body: staffStateBodySchema,
        response: { 200: staffMemberSchema },
      },
    },
    async (req) => enableStaff(ctx, requireStaff(req, 'staff.manage'), req.params.id, req.body),
  );
}
