import { randomInt } from 'node:crypto';
import type { RegisterBody, TokenPair } from '@jiangxin/shared/api/accounts';
import { normalizeLoginIdentifier } from '@jiangxin/shared/identifiers';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { hash, verify } from '@node-rs/argon2';
import type { AppContext } from '../../platform/context';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import { randomToken, safeEqualHex, sha256Hex } from '../../platform/http/auth';
import { AppError } from '../../platform/http/problem';
import { ensureUserAccounts } from '../ledger/accounts';
import { deliverNotificationNow } from '../notifications/delivery';
import type { LoginGuard } from './login-guard';
import { getMe } from './queries';

/** argon2id with the library defaults (m=19 MiB, t=2) — OWASP's recommended minimum. */
export const hashPassword = (password: string) => hash(password);

/** Creates a marketplace user with profiles and wallet accounts. Duplicate username/email/phone → 409. */
export async function registerUser(
  ctx: AppContext,
  body: RegisterBody,
  extra: { staffRoles?: StaffRole[] } = {},
) {
  const passwordHash = await hashPassword(body.password);
  const userId = await ctx.db.transact((tx) =>
    insertUser(tx, ctx.pii, body, passwordHash, extra.staffRoles ?? []),
  );
  return issueTokens(ctx, userId, null);
}

/**
 * Writes a new account in the caller's transaction — the user, their profiles and wallet accounts, and
 * `user.registered` — after checking the name, email and phone are free. Sign-up and staff creation both
 * go through here, so a staff account is exactly what registration makes, plus its roles.
 */
export async function insertUser(
  tx: Tx,
  pii: PiiKeyring,
  body: Pick<RegisterBody, 'username' | 'email' | 'phone' | 'nickname' | 'userType'>,
  passwordHash: string,
  staffRoles: readonly StaffRole[],
): Promise<number> {
  const phoneBidx = pii.blindIndexOrNull('phone', body.phone);
  await assertUnique(tx, body, phoneBidx);
  const isFreelancer = body.userType !== 'client';
  const user = await tx
    .insertInto('users')
    .values({
      username: body.username,
      email: body.email ?? null,
      phone: pii.sealOrNull('users.phone', body.phone),
      phone_bidx: phoneBidx,
      password_hash: passwordHash,
      nickname: body.nickname ?? body.username,
      is_client: body.userType !== 'freelancer',
      is_freelancer: isFreelancer,
      staff_roles: [...staffRoles],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('client_profiles').values({ user_id: user.id }).execute();
  if (isFreelancer) await tx.insertInto('freelancer_profiles').values({ user_id: user.id }).execute();
  await ensureUserAccounts(tx, user.id);
  await appendEvent(
    tx,
    'user.registered',
    { aggregateType: 'user', aggregateId: user.id },
    { userId: user.id, username: body.username },
  );
  return user.id;
}

async function assertUnique(
  tx: Tx,
  body: Pick<RegisterBody, 'username' | 'email'>,
  phoneBidx: string | null,
) {
  const clash = await tx
    .selectFrom('users')
    .select(['username', 'email'])
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['username']), '=', body.username.toLowerCase()),
        ...(body.email ? [eb(eb.fn('lower', ['email']), '=', body.email.toLowerCase())] : []),
        ...(phoneBidx ? [eb('phone_bidx', '=', phoneBidx)] : []),
      ]),
    )
    .executeTakeFirst();
  if (!clash) return;
  if (clash.username.toLowerCase() === body.username.toLowerCase()) throw new AppError('username_taken');
  if (body.email && clash.email?.toLowerCase() === body.email.toLowerCase())
    throw new AppError('email_taken');
  throw new AppError('phone_taken');
}

/**
 * Verifies username/email/phone + password. The same refusal for an unknown login and a wrong password.
 * The name is compared in its one normalised form (`normalizeLoginIdentifier`), the form the sign-in
 * limits count under, so no spelling of a name gets guesses of its own; `guard` (required: there is no
 * sign-in without the limits) decides whether the attempt may reach the password check at all.
 */
export async function login(
  ctx: AppContext,
  loginName: string,
  password: string,
  guard: { limits: LoginGuard; address: string },
): Promise<TokenPair> {
  const key = normalizeLoginIdentifier(loginName);
  const user = await ctx.db.write
    .selectFrom('users')
    .select(['id', 'password_hash', 'status', 'suspended_until', 'staff_disabled_at'])
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['username']), '=', key),
        eb(eb.fn('lower', ['email']), '=', key),
        eb('phone_bidx', '=', ctx.pii.blindIndex('phone', key)),
      ]),
    )
    .executeTakeFirst();
  const attempt = await guard.limits.admit(user ? `u:${user.id}` : `n:${key}`, guard.address);
  // Verify against a fixed hash when the user is unknown so both paths take the same time.
  const ok = await verify(user?.password_hash ?? DUMMY_HASH, password).catch(() => false);
  if (!user || !ok) throw new AppError('invalid_credentials');
  await attempt.succeeded();
  assertActive(user, ctx.now());
  return ctx.db.transact(async (tx) => {
    await tx.updateTable('users').set({ last_login_at: ctx.now() }).where('id', '=', user.id).execute();
    return issueTokens(ctx, user.id, null, tx);
  });
}

const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0bX0S8m3x2W8qG2mJkq1e6mQbq8R8n0lF1hYt2Gq7pM';

function assertActive(
  user: { status: string; suspended_until: Date | null; staff_disabled_at: Date | null },
  now: Date,
) {
  if (user.staff_disabled_at) throw new AppError('account_disabled');
  if (user.status === 'banned') throw new AppError('account_suspended');
  if (user.status === 'suspended' && (!user.suspended_until || new Date(user.suspended_until) > now)) {
    throw new AppError('account_suspended');
  }
}

/**
 * Issues an access token and a new refresh token in `familyId` (a new family on login). Refresh tokens
 * are `id.secret`; only sha256(secret) is stored.
 */
async function issueTokens(
  ctx: AppContext,
  userId: number,
  familyId: string | null,
  tx?: Tx,
): Promise<TokenPair> {
  const run = async (t: Tx) => {
    const me = await getMe(t, ctx.pii, userId);
    const id = randomToken(12);
    const secret = randomToken(32);
    await t
      .insertInto('refresh_tokens')
      .values({
        id,
        user_id: userId,
        family_id: familyId ?? randomToken(12),
        secret_hash: sha256Hex(secret),
        expires_at: new Date(ctx.now().getTime() + ctx.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
      })
      .execute();
    const accessToken = await ctx.tokens.issue({ userId, staffRoles: me.staffRoles });
    return {
      accessToken,
      refreshToken: `${id}.${secret}`,
      accessTokenExpiresIn: ctx.tokens.ttlSeconds,
      user: me,
    };
  };
  return tx ? run(tx) : ctx.db.transact(run);
}

/**
 * Rotates a refresh token: the presented one is marked used and a new one in the same family is issued.
 * Presenting a token that was already used means it leaked: the whole family is revoked (reuse detection).
 */
export async function refresh(ctx: AppContext, refreshToken: string): Promise<TokenPair> {
  const [id, secret] = refreshToken.split('.');
  if (!id || !secret) throw new AppError('token_invalid');
  const outcome = await ctx.db.transact(async (tx) => {
    const row = await tx
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('id', '=', id)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!row || !safeEqualHex(row.secret_hash, sha256Hex(secret))) return { error: 'token_invalid' as const };
    if (row.revoked_at) return { error: 'token_invalid' as const };
    if (row.used_at) {
      await tx
        .updateTable('refresh_tokens')
        .set({ revoked_at: ctx.now() })
        .where('family_id', '=', row.family_id)
        .where('revoked_at', 'is', null)
        .execute();
      return { error: 'refresh_token_reused' as const };
    }
    if (new Date(row.expires_at) <= ctx.now()) return { error: 'token_expired' as const };
    const user = await tx
      .selectFrom('users')
      .select(['status', 'suspended_until', 'staff_disabled_at'])
      .where('id', '=', row.user_id)
      .executeTakeFirstOrThrow();
    assertActive(user, ctx.now());
    await tx.updateTable('refresh_tokens').set({ used_at: ctx.now() }).where('id', '=', id).execute();
    return { tokens: await issueTokens(ctx, row.user_id, row.family_id, tx) };
  });
  // The family revocation must commit, so the refusal is thrown after the transaction.
  if (outcome.error !== undefined) throw new AppError(outcome.error);
  return outcome.tokens;
}

/** Revokes the presented refresh token's whole family (this login on this device). */
export async function logout(ctx: AppContext, refreshToken: string): Promise<void> {
  const [id, secret] = refreshToken.split('.');
  if (!id || !secret) return;
  await ctx.db.transact(async (tx) => {
    const row = await tx
      .selectFrom('refresh_tokens')
      .select(['family_id', 'secret_hash'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || !safeEqualHex(row.secret_hash, sha256Hex(secret))) return;
    await tx
      .updateTable('refresh_tokens')
      .set({ revoked_at: ctx.now() })
      .where('family_id', '=', row.family_id)
      .where('revoked_at', 'is', null)
      .execute();
  });
}

/**
 * A code's stored hash: over the phone's blind index, not the number, since sha256 of a number and a
 * six-digit code is cheap to search through and would give the number away.
 */
const codeHash = (phoneBidx: string, code: string) => sha256Hex(`${phoneBidx}:${code}`);

const CODE_TTL_MS = 5 * 60_000;
const CODE_RESEND_MS = 60_000;
const CODE_MAX_ATTEMPTS = 5;

/**
 * Sends a 6-digit code to `phone`: at most one a minute and SMS_CODES_PER_PHONE_PER_DAY a day per phone
 * (the route limits each address too). The message is an SMS notification written with the code's row,
 * tried once at once, and retried by the `notifications` job if the provider fails (delivery.ts); the
 * code itself is only stored hashed, and the outbox row's copy is erased once the message is sent or
 * given up.
 */
export async function sendPhoneCode(ctx: AppContext, userId: number, phone: string): Promise<void> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = ctx.now();
  const phoneBidx = ctx.pii.blindIndex('phone', phone);
  const notificationId = await ctx.db.transact(async (tx) => {
    const counts = await tx
      .selectFrom('phone_codes')
      .select((eb) => [eb.fn.countAll<number>().as('today'), eb.fn.max('created_at').as('latest')])
      .where('phone_bidx', '=', phoneBidx)
      .where('created_at', '>', new Date(now.getTime() - 86_400_000))
      .executeTakeFirst();
    const latest = counts?.latest ? new Date(counts.latest as Date) : null;
    if (latest && latest.getTime() > now.getTime() - CODE_RESEND_MS)
      throw new AppError('rate_limited', {
        zh: '验证码发送过于频繁，请 60 秒后再试',
        en: 'Wait 60 seconds before requesting another code',
      });
    if (Number(counts?.today ?? 0) >= ctx.env.SMS_CODES_PER_PHONE_PER_DAY)
      throw new AppError('rate_limited', {
        zh: '该手机号今天的验证码次数已用完，请明天再试',
        en: 'This phone has had all its codes for today; try again tomorrow',
      });
    await tx
      .insertInto('phone_codes')
      .values({
        phone: ctx.pii.seal('phone_codes.phone', phone),
        phone_bidx: phoneBidx,
        user_id: userId,
        code_hash: codeHash(phoneBidx, code),
        expires_at: new Date(now.getTime() + CODE_TTL_MS),
        created_at: now,
      })
      .execute();
    const queued = await tx
      .insertInto('notifications')
      .values({
        user_id: userId,
        channel: 'sms',
        template: 'verification_code',
        recipient: ctx.pii.seal('notifications.recipient', phone),
        body: '手机验证码短信（验证码只发到手机，平台不留存）',
        params: JSON.stringify({ code }),
        event_type: 'phone.code_requested',
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return queued.id;
  });
  await deliverNotificationNow(ctx, notificationId);
}

/** Checks the latest code for `phone`; on success the phone becomes the user's verified phone. */
export async function verifyPhone(
  ctx: AppContext,
  userId: number,
  phone: string,
  code: string,
): Promise<void> {
  const phoneBidx = ctx.pii.blindIndex('phone', phone);
  const ok = await ctx.db.transact(async (tx) => {
    const row = await tx
      .selectFrom('phone_codes')
      .selectAll()
      .where('phone_bidx', '=', phoneBidx)
      .where('user_id', '=', userId)
      .where('consumed_at', 'is', null)
      .orderBy('id', 'desc')
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!row || new Date(row.expires_at) <= ctx.now() || row.attempts >= CODE_MAX_ATTEMPTS) return false;
    if (!safeEqualHex(row.code_hash, codeHash(phoneBidx, code))) {
      await tx
        .updateTable('phone_codes')
        .set({ attempts: row.attempts + 1 })
        .where('id', '=', row.id)
        .execute();
      return false;
    }
    const taken = await tx
      .selectFrom('users')
      .select('id')
      .where('phone_bidx', '=', phoneBidx)
      .where('id', '<>', userId)
      .executeTakeFirst();
    if (taken) throw new AppError('phone_taken');
    await tx.updateTable('phone_codes').set({ consumed_at: ctx.now() }).where('id', '=', row.id).execute();
    await tx
      .updateTable('users')
      .set({
        phone: ctx.pii.seal('users.phone', phone),
        phone_bidx: phoneBidx,
        phone_verified: true,
        updated_at: ctx.now(),
      })
      .where('id', '=', userId)
      .execute();
    return true;
  });
  if (!ok) throw new AppError('verification_code_invalid');
}

/**
 * Submits real-name details for review (实名认证): status becomes `pending` until staff decide (ops
 * issue). A verified user cannot resubmit; a pending one may correct their details.
 */
export async function submitRealName(
  ctx: AppContext,
  userId: number,
  realName: string,
  idNumber: string,
): Promise<void> {
  await ctx.db.transact(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select('real_name_status')
      .where('id', '=', userId)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    if (user.real_name_status === 'verified') throw new AppError('already_verified');
    // One person, one verified identity: an ID number pending or verified on another account is refused.
    const idNumberBidx = ctx.pii.blindIndex('id_number', idNumber);
    const taken = await tx
      .selectFrom('users')
      .select('id')
      .where('id_number_bidx', '=', idNumberBidx)
      .where('id', '<>', userId)
      .where('real_name_status', 'in', ['pending', 'verified'])
      .executeTakeFirst();
    if (taken) throw new AppError('id_number_taken');
    await tx
      .updateTable('users')
      .set({
        real_name: ctx.pii.seal('users.real_name', realName),
        id_number: ctx.pii.seal('users.id_number', idNumber),
        id_number_bidx: idNumberBidx,
        real_name_status: 'pending',
        updated_at: ctx.now(),
      })
      .where('id', '=', userId)
      .execute();
  });
}
