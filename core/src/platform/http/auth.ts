import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hasPermission, type Permission, type StaffRole } from '@jiangxin/shared/permissions';
import type { FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from './problem';

/** Who is calling, from a verified access token. */
export interface Principal {
  userId: number;
  staffRoles: StaffRole[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Short-lived access tokens (HS256 JWT) carry the user id and staff roles. Refresh tokens are opaque
 * `id.secret` strings whose secret is stored hashed; they rotate on every use (see accounts/tokens.ts).
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(p: Principal): Promise<string> {
    return new SignJWT({ roles: p.staffRoles })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(p.userId))
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setIssuer('jiangxin')
      .sign(this.key);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'jiangxin', algorithms: ['HS256'] });
      const userId = Number(payload.sub);
      if (!Number.isSafeInteger(userId) || userId <= 0) throw new AppError('token_invalid');
      const roles = Array.isArray(payload['roles']) ? (payload['roles'] as StaffRole[]) : [];
      return { userId, staffRoles: roles };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AppError('token_expired');
      throw new AppError('token_invalid');
    }
  }
}

/** Reads `Authorization: Bearer …` and verifies it; null when absent. */
export async function principalFromRequest(
  req: FastifyRequest,
  tokens: AccessTokens,
): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw new AppError('token_invalid');
  return tokens.verify(m[1]);
}

/** The caller, or 401. Routes that need a signed-in user call this first. */
export function requireUser(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthenticated');
  return req.principal;
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A signed-in member of staff. */
export interface Staff {
  userId: number;
  roles: StaffRole[];
}

/**
 * The calling staff member, or 401/403. Every `/ops` route calls this with the permission it needs (from
 * the matrix in shared/permissions.ts); without one it only checks that the caller is staff at all.
 */
export function requireStaff(req: FastifyRequest, permission?: Permission): Staff {
  const p = requireUser(req);
  if (!p.staffRoles.length) throw new AppError('forbidden', { zh: '仅限平台员工', en: 'Staff only' });
  if (permission && !hasPermission(p.staffRoles, permission))
    throw new AppError('forbidden', undefined, { permission });
  return { userId: p.userId, roles: p.staffRoles };
}
