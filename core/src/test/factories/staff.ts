import type { TokenPair } from '@jiangxin/shared/api/accounts';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { ApiClient, signUp, uniqueName } from '../client';
import type { TestApp } from '../harness';

export interface StaffMember {
  api: ApiClient;
  userId: number;
  username: string;
  roles: StaffRole[];
}

/**
 * A member of staff: registered through the API like anyone, given roles in the database (as
 * `staff:create` does), then signed in again so the access token carries the roles.
 */
export async function signUpStaff(t: TestApp, roles: StaffRole[], nickname?: string): Promise<StaffMember> {
  const base = new ApiClient(t.url);
  const username = uniqueName(roles[0] ?? 'staff');
  const { userId } = await signUp(base, { username, nickname: nickname ?? `员工${username.slice(-4)}` });
  await t.db.write.updateTable('users').set({ staff_roles: roles }).where('id', '=', userId).execute();
  const login = await base.post<TokenPair>('/auth/login', { login: username, password: 'correct-horse-1' });
  if (login.status !== 200)
    throw new Error(`staff login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { api: base.as(login.body.accessToken), userId, username, roles };
}

/** One member of every role, plus a second finance member for maker-checker. */
export async function signUpStaffTeam(t: TestApp) {
  const [moderator, finance, finance2, support, admin] = await Promise.all([
    signUpStaff(t, ['moderator'], '审核小王'),
    signUpStaff(t, ['finance'], '财务小李'),
    signUpStaff(t, ['finance'], '财务小赵'),
    signUpStaff(t, ['support'], '客服小陈'),
    signUpStaff(t, ['admin'], '管理员老周'),
  ]);
  return { moderator, finance, finance2, support, admin };
}
