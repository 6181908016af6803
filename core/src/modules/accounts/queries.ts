import type { Me, PublicUser } from '@jiangxin/shared/api/accounts';
import { permissionsOf, type StaffRole } from '@jiangxin/shared/permissions';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb, Tx } from '../../platform/db/database';
import { notFound } from '../../platform/http/problem';

/** The signed-in user's own view: contact details unmasked, roles and permissions. */
export async function getMe(db: ReadDb | Tx, pii: PiiKeyring, userId: number): Promise<Me> {
  const u = await db
    .selectFrom('users')
    .leftJoin('freelancer_profiles as fp', 'fp.user_id', 'users.id')
    .leftJoin('client_profiles as cp', 'cp.user_id', 'users.id')
    .select([
      'users.id',
      'users.username',
      'users.nickname',
      'users.email',
      'users.phone',
      'users.phone_verified',
      'users.is_client',
      'users.is_freelancer',
      'users.real_name_status',
      'users.staff_roles',
      'users.created_at',
      'fp.user_id as fp_user',
      'fp.bio',
      'fp.hourly_rate_fen',
      'fp.rating as fp_rating',
      'fp.rating_count as fp_rating_count',
      'fp.response_rate',
      'fp.location as fp_location',
      'cp.user_id as cp_user',
      'cp.company_name',
      'cp.industry',
      'cp.location as cp_location',
      'cp.rating as cp_rating',
      'cp.rating_count as cp_rating_count',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!u) throw notFound({ zh: '用户不存在', en: 'No such user' });
  const roles = u.staff_roles as StaffRole[];
  return {
    id: u.id,
    username: u.username,
    nickname: u.nickname,
    email: u.email,
    phone: pii.openOrNull('users.phone', u.phone),
    phoneVerified: u.phone_verified,
    isClient: u.is_client,
    isFreelancer: u.is_freelancer,
    realNameStatus: u.real_name_status,
    staffRoles: roles,
    permissions: permissionsOf(roles),
    freelancerProfile:
      u.fp_user === null
        ? null
        : {
            bio: u.bio ?? '',
            hourlyRateFen: u.hourly_rate_fen,
            rating: Number(u.fp_rating ?? 0),
            ratingCount: u.fp_rating_count ?? 0,
            responseRate: u.response_rate ?? 100,
            location: u.fp_location ?? '',
          },
    clientProfile:
      u.cp_user === null
        ? null
        : {
            companyName: u.company_name ?? '',
            industry: u.industry ?? '',
            location: u.cp_location ?? '',
            rating: Number(u.cp_rating ?? 0),
            ratingCount: u.cp_rating_count ?? 0,
          },
    createdAt: new Date(u.created_at).toISOString(),
  };
}

/** Another user as the public sees them: nickname, ratings, location; never contact details. */
export async function getPublicUser(db: ReadDb, userId: number): Promise<PublicUser> {
  const u = await db
    .selectFrom('users')
    .leftJoin('freelancer_profiles as fp', 'fp.user_id', 'users.id')
    .select([
      'users.id',
      'users.nickname',
      'users.is_freelancer',
      'users.created_at',
      'fp.rating',
      'fp.rating_count',
      'fp.location',
    ])
    .where('users.id', '=', userId)
    .where('users.status', '<>', 'banned')
    .executeTakeFirst();
  if (!u) throw notFound({ zh: '用户不存在', en: 'No such user' });
  return {
    id: u.id,
    nickname: u.nickname,
    isFreelancer: u.is_freelancer,
    rating: Number(u.rating ?? 0),
    ratingCount: u.rating_count ?? 0,
    location: u.location ?? '',
    createdAt: new Date(u.created_at).toISOString(),
  };
}
