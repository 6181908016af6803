import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { PERMISSIONS } from '@jiangxin/shared/permissions';

/** The signed-in administrator of the admin screens' tests. */
export const adminSession: ConsoleSession = {
  userId: 1,
  username: 'zhou_admin',
  nickname: '管理员老周',
  roles: ['admin'],
  permissions: [...PERMISSIONS],
  coreUrl: 'http://core',
};
