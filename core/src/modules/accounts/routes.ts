import {
  loginBodySchema,
  meSchema,
  phoneCodeBodySchema,
  phoneVerifyBodySchema,
  publicUserSchema,
  realNameBodySchema,
  refreshBodySchema,
  registerBodySchema,
  tokenPairSchema,
  updateProfileBodySchema,
} from '@jiangxin/shared/api/accounts';
import { idParamSchema, okSchema } from '@jiangxin/shared/api/common';
import { cached, cacheKeys } from '../../platform/cache/index';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { login, logout, refresh, registerUser, sendPhoneCode, submitRealName, verifyPhone } from './commands';
import type { LoginGuard } from './login-guard';
import { updateProfile } from './profile';
import { getMe, getPublicUser } from './queries';

const tags = ['accounts'];
const secured = [{ bearer: [] }];

/** Sign-up, sign-in, token rotation, the caller's own profile, phone verification, public profiles. */
export async function registerAccountsRoutes(
  app: HttpServer,
  ctx: AppContext,
  loginGuard: LoginGuard,
): Promise<void> {
  app.post(
    '/auth/register',
    {
      config: {
        rateLimit: {
          max: ctx.env.REGISTER_LIMIT_PER_HOUR,
          timeWindow: '1 hour',
          keyGenerator: (req) => `register:${req.ip}`,
        },
      },
      schema: {
        operationId: 'register',
        'x-problems': [409],
        tags,
        summary: '注册 Register',
        body: registerBodySchema,
        response: { 201: tokenPairSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await registerUser(ctx, req.body)),
  );
  app.post(
    '/auth/login',
    {
      // Password guessing is limited by the login guard (failures per account, address and service),
      // which keys on the account the name resolves to; the generic write budget does not apply.
      config: { rateLimit: false },
      schema: {
        operationId: 'login',
        'x-problems': [401, 403, 429],
        tags,
        summary: '登录 Sign in (username, email or phone)',
        body: loginBodySchema,
        response: { 200: tokenPairSchema },
      },
    },
    async (req) => login(ctx, req.body.login, req.body.password, { limits: loginGuard, address: req.ip }),
  );
  app.post(
    '/auth/refresh',
    {
      schema: {
        operationId: 'refreshToken',
        'x-problems': [401],
        tags,
        summary: '刷新令牌 Rotate refresh token',
        body: refreshBodySchema,
        response: { 200: tokenPairSchema },
      },
    },
    async (req) => refresh(ctx, req.body.refreshToken),
  );
  app.post(
    '/auth/logout',
    {
      schema: {
        operationId: 'logout',
        tags,
        summary: '退出登录 Revoke this login',
        body: refreshBodySchema,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await logout(ctx, req.body.refreshToken);
      return { ok: true as const };
    },
  );
  app.get(
    '/me',
    {
      schema: {
        operationId: 'getMe',
        tags,
        summary: '当前用户 Me',
        security: secured,
        response: { 200: meSchema },
      },
    },
    async (req) => getMe(ctx.db.fresh, ctx.pii, requireUser(req).userId),
  );
  app.patch(
    '/me',
    {
      schema: {
        operationId: 'updateMe',
        tags,
        summary: '修改资料 Update profile',
        security: secured,
        body: updateProfileBodySchema,
        response: { 200: meSchema },
      },
    },
    async (req) => updateProfile(ctx, requireUser(req).userId, req.body),
  );
  app.post(
    '/me/phone/code',
    {
      // Per address, beside the per-phone limits in sendPhoneCode: one client cannot walk many numbers.
      config: {
        rateLimit: {
          max: ctx.env.SMS_CODES_PER_ADDRESS_PER_HOUR,
          timeWindow: '1 hour',
          keyGenerator: (req: { ip: string }) => `sms-code:${req.ip}`,
        },
      },
      schema: {
        operationId: 'sendPhoneCode',
        tags,
        summary: '发送手机验证码 Send phone code',
        security: secured,
        body: phoneCodeBodySchema,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await sendPhoneCode(ctx, requireUser(req).userId, req.body.phone);
      return { ok: true as const };
    },
  );
  app.post(
    '/me/phone/verify',
    {
      schema: {
        operationId: 'verifyPhone',
        'x-problems': [409],
        tags,
        summary: '验证手机号 Verify phone',
        security: secured,
        body: phoneVerifyBodySchema,
        response: { 200: meSchema },
      },
    },
    async (req) => {
      const { userId } = requireUser(req);
      await verifyPhone(ctx, userId, req.body.phone, req.body.code);
      return getMe(ctx.db.fresh, ctx.pii, userId);
    },
  );
  app.post(
    '/me/real-name',
    {
      schema: {
        operationId: 'submitRealName',
        'x-problems': [409],
        tags,
        summary: '提交实名认证 Submit real-name verification',
        security: secured,
        body: realNameBodySchema,
        response: { 200: meSchema },
      },
    },
    async (req) => {
      const { userId } = requireUser(req);
      await submitRealName(ctx, userId, req.body.realName, req.body.idNumber);
      return getMe(ctx.db.fresh, ctx.pii, userId);
    },
  );
  app.get(
    '/users/:id',
    {
      schema: {
        operationId: 'getUserProfile',
        tags,
        summary: '用户公开资料 Public profile',
        params: idParamSchema,
        response: { 200: publicUserSchema },
      },
    },
    // A cache fill reads the primary: filled from a lagging replica just after an invalidation, the
    // cache would keep the old profile until it expires.
    async (req) =>
      (await cached(ctx, cacheKeys.user(req.params.id), () => getPublicUser(ctx.db.fresh, req.params.id)))!,
  );
}
