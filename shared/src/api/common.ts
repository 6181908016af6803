import { z } from 'zod';

/**
 * A user-entered string: trimmed, well-formed Unicode (no lone surrogates), bounded length.
 * Every free-text field of the API goes through this so "too long" and "malformed" name the field.
 */
export function text(opts: { min?: number; max: number }) {
  return z
    .string()
    .trim()
    .min(opts.min ?? 0, {
      error: opts.min && opts.min > 1 ? `must be at least ${opts.min} characters` : 'must not be empty',
    })
    .max(opts.max, { error: `must be at most ${opts.max} characters` })
    .refine((s) => s.isWellFormed(), { error: 'must be valid UTF-8 text' });
}

/** Database ids are positive integers (BIGINT identity). */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const idParamSchema = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/** Cursor pagination: an opaque cursor from the previous page and a page size. */
export const pageQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** A page of items; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const isoDateTime = z.string().describe('ISO 8601 date-time');

export const okSchema = z.object({ ok: z.literal(true) });

/** Chinese mainland mobile number, 11 digits starting with 1[3-9]. */
export const cnMobileSchema = z
  .string()
  .regex(/^1[3-9]\d{9}$/, { error: 'must be an 11-digit mainland mobile number' });
