import { z } from 'zod';
import { permissionSchema, staffRoleSchema } from '../permissions';
import {
  cnMobileSchema,
  displayName,
  isoDateTime,
  issuedToken,
  password,
  SINGLE_LINE_PATTERN,
  text,
} from './common';

export const REAL_NAME_STATUSES = ['unverified', 'pending', 'verified', 'rejected'] as const;
export const realNameStatusSchema = z.enum(REAL_NAME_STATUSES);

export const userTypeSchema = z.enum(['client', 'freelancer', 'both']);

export const registerBodySchema = z
  .object({
    username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{2,31}$/, {
      error: 'must be 3–32 letters, digits or _, starting with a letter',
    }),
    email: z.email({ error: 'must be an email address' }).max(254).optional(),
    phone: cnMobileSchema.optional(),
    password: password({ min: 8, max: 128 }),
    nickname: displayName({ min: 1, max: 32 }).optional(),
    userType: userTypeSchema.default('client'),
  })
  .strict()
  .meta({
    examples: [
      {
        username: 'linxiaoyu',
        email: 'linxiaoyu@example.cn',
        phone: '13812345678',
        password: 'Jiangxin#2026',
        nickname: '林小雨',
        userType: 'freelancer',
      },
    ],
  });
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z
  .object({
    // Not trimmed or folded here: the login command normalises the identifier. Only what can never be
    // part of one (control characters, NUL) is refused before anything is looked up.
    login: z
      .string()
      .min(1)
      .max(254)
      .regex(SINGLE_LINE_PATTERN, { error: 'must be one line without control characters' })
      .describe('username, email or phone'),
    password: password({ min: 1, max: 128 }),
  })
  .strict()
  .meta({ examples: [{ login: 'linxiaoyu', password: 'Jiangxin#2026' }] });

export const refreshBodySchema = z.object({ refreshToken: issuedToken({ min: 10, max: 512 }) }).strict();

export const freelancerProfileSchema = z.object({
  bio: z.string(),
  hourlyRateFen: z.number().int().nullable(),
  rating: z.number(),
  ratingCount: z.number().int(),
  responseRate: z.number().int(),
  location: z.string(),
});
export const clientProfileSchema = z.object({
  companyName: z.string(),
  industry: z.string(),
  location: z.string(),
  rating: z.number(),
  ratingCount: z.number().int(),
});

export const meSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  phoneVerified: z.boolean(),
  isClient: z.boolean(),
  isFreelancer: z.boolean(),
  realNameStatus: realNameStatusSchema,
  staffRoles: z.array(staffRoleSchema),
  permissions: z.array(permissionSchema),
  freelancerProfile: freelancerProfileSchema.nullable(),
  clientProfile: clientProfileSchema.nullable(),
  createdAt: isoDateTime,
});
export type Me = z.infer<typeof meSchema>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresIn: z.number().int().describe('seconds'),
  user: meSchema,
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const updateProfileBodySchema = z
  .object({
    nickname: displayName({ min: 1, max: 32 }).optional(),
    becomeFreelancer: z.boolean().optional(),
    freelancer: z
      .object({
        bio: text({ max: 2000, multiline: true }).optional(),
        hourlyRateFen: z.number().int().min(0).max(100_000_00).nullable().optional(),
        location: text({ max: 64 }).optional(),
      })
      .strict()
      .optional(),
    client: z
      .object({
        companyName: displayName({ max: 100 }).optional(),
        industry: text({ max: 64 }).optional(),
        location: text({ max: 64 }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const phoneCodeBodySchema = z.object({ phone: cnMobileSchema }).strict();
export const phoneVerifyBodySchema = z
  .object({ phone: cnMobileSchema, code: z.string().regex(/^\d{6}$/, { error: 'must be 6 digits' }) })
  .strict();

/** Public view of another user: no contact details. */
export const publicUserSchema = z.object({
  id: z.number().int(),
  nickname: z.string(),
  isFreelancer: z.boolean(),
  rating: z.number(),
  ratingCount: z.number().int(),
  location: z.string(),
  createdAt: isoDateTime,
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** Mainland resident ID number: 18 characters, the last a GB 11643 check digit (0–9 or X). */
export function isValidCnIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17];
}

export const realNameBodySchema = z
  .object({
    realName: z
      .string()
      .trim()
      .regex(/^[\u4e00-\u9fa5·]{2,20}$/, { error: 'must be 2–20 Chinese characters' }),
    idNumber: z
      .string()
      .trim()
      .regex(/^[0-9]{17}[0-9Xx]$/, { error: 'must be an 18-character resident ID number' })
      .toUpperCase()
      .refine(isValidCnIdNumber, {
        error: 'must be an 18-character resident ID number with a valid check digit',
      }),
  })
  .strict();
