import { registerBodySchema } from '@jiangxin/shared/api/accounts';
import { sql } from 'kysely';
import { insertUser } from '../modules/accounts/commands';
import type { AppContext } from '../platform/context';
import type { PiiKeyring } from '../platform/crypto/pii';
import type { Tx } from '../platform/db/database';
import { chunks } from './bulk';
import { DEMO_STAFF } from './people-data';
import type { SeedPlan, UserPlan } from './plan';

const DAY = 86_400_000;

/**
 * Staff, then the marketplace users, each registered through `insertUser` — what sign-up and staff
 * creation write: the account, a client profile, a freelancer profile for freelancers, the two wallet
 * accounts and `user.registered` — with one password hash for all (argon2 per user would take minutes at
 * the large scale). The answers of later forms are then written as data (`writeUserDetails`). Returns the
 * user id of every plan key.
 */
export async function writeUsers(
  ctx: AppContext,
  plan: Pick<SeedPlan, 'users' | 'storyEnd'>,
  passwordHash: string,
  demoPassword: string,
): Promise<number[]> {
  const staffIds = await ctx.db.transact(async (tx) => {
    const ids: number[] = [];
    for (const s of DEMO_STAFF) {
      const body = registerBodySchema.parse({
        username: s.username,
        email: `${s.username}@staff.jiangxin.example`,
        nickname: s.nickname,
        password: demoPassword,
      });
      ids.push(await insertUser(tx, ctx.pii, body, passwordHash, [...s.roles]));
    }
    return ids;
  });
  const staffCreated = new Date(plan.storyEnd - 1200 * DAY);
  await ctx.db.write
    .updateTable('users')
    .set({ created_at: staffCreated, updated_at: staffCreated })
    .where('id', 'in', staffIds)
    .execute();

  const userIds: number[] = [];
  for (const chunk of chunks(plan.users, 500)) {
    const ids = await ctx.db.transact(async (tx) => {
      const got: number[] = [];
      for (const u of chunk)
        got.push(await insertUser(tx, ctx.pii, registration(u, demoPassword), passwordHash, []));
      await writeUserDetails(
        tx,
        ctx.pii,
        chunk.map((u, i) => ({ id: got[i]!, u })),
      );
      return got;
    });
    userIds.push(...ids);
  }
  return userIds;
}

/** The sign-up form of a demo user, through the route's schema. */
export function registration(u: UserPlan, demoPassword: string) {
  return registerBodySchema.parse({
    username: u.username,
    ...(u.email === null ? {} : { email: u.email }),
    ...(u.phone === null ? {} : { phone: u.phone }),
    nickname: u.nickname,
    password: demoPassword,
    userType: u.isClient && u.isFreelancer ? 'both' : u.isFreelancer ? 'freelancer' : 'client',
  });
}

/**
 * What registered users filled in afterwards, written as data: profile fields (the profile form), a
 * verified phone (the SMS code), the real-name status (staff's review of 实名认证, which has no command
 * yet), the freelancer's response rate (a statistic) and the sign-up date. `bulk.test.ts` checks the
 * profile fields equal `updateProfile`'s.
 */
export async function writeUserDetails(
  tx: Tx,
  pii: PiiKeyring,
  users: readonly { id: number; u: UserPlan }[],
): Promise<void> {
  const json = (rows: unknown) => sql`${JSON.stringify(rows)}::jsonb`;
  const accounts = users.map(({ id, u }) => ({
    id,
    created: new Date(u.createdAt).toISOString(),
    phone_verified: u.phone !== null,
    status: u.realNameStatus,
    // Sealed like every write of personal data (platform/crypto/pii.ts).
    name: pii.sealOrNull('users.real_name', u.realName),
    number: pii.sealOrNull('users.id_number', u.idNumber),
    number_bidx: pii.blindIndexOrNull('id_number', u.idNumber),
  }));
  await sql`UPDATE users t SET created_at = f.created, updated_at = f.created,
      phone_verified = f.phone_verified, real_name_status = f.status, real_name = f.name, id_number = f.number,
      id_number_bidx = f.number_bidx
    FROM jsonb_to_recordset(${json(accounts)}) AS f(id bigint, created timestamptz, phone_verified boolean,
      status text, name text, number text, number_bidx text)
    WHERE t.id = f.id`.execute(tx);
  const clients = users.map(({ id, u }) => ({ id, company: u.company, industry: u.industry, city: u.city }));
  await sql`UPDATE client_profiles t SET company_name = f.company, industry = f.industry, location = f.city
    FROM jsonb_to_recordset(${json(clients)}) AS f(id bigint, company text, industry text, city text)
    WHERE t.user_id = f.id`.execute(tx);
  const freelancers = users
    .filter(({ u }) => u.isFreelancer)
    .map(({ id, u }) => ({
      id,
      bio: u.bio,
      rate: u.hourlyRateFen,
      response: u.responseRate,
      city: u.city,
    }));
  if (freelancers.length)
    await sql`UPDATE freelancer_profiles t SET bio = f.bio, hourly_rate_fen = f.rate,
        response_rate = f.response, location = f.city
      FROM jsonb_to_recordset(${json(freelancers)}) AS f(id bigint, bio text, rate bigint, response int, city text)
      WHERE t.user_id = f.id`.execute(tx);
}
