import { z } from 'zod';
import { AppError } from './problem';

/**
 * Opaque keyset cursors: base64url of `{"k": kind, "v": [sort key values…, id]}`. The kind ties a cursor
 * to the listing (and sort) that issued it, so a cursor from `price_asc` cannot be replayed against
 * `rating` and silently skip rows. Clients treat the string as opaque.
 */
export function encodeCursor(kind: string, values: readonly (string | number | boolean)[]): string {
  return Buffer.from(JSON.stringify({ k: kind, v: values }), 'utf8').toString('base64url');
}

const envelopeSchema = z.object({ k: z.string(), v: z.array(z.unknown()) }).strict();

/**
 * Decodes a cursor issued by `encodeCursor(kind, …)` and checks its values against `values`. Anything
 * else — not base64url, not JSON, another kind, wrong value types — is a 400 naming `query.cursor`,
 * never a 500 and never a silently wrong page.
 */
export function decodeCursor<T extends z.ZodTuple>(raw: string, kind: string, values: T): z.infer<T> {
  const invalid = () =>
    new AppError(
      'validation_failed',
      {
        zh: '分页游标无效，请从第一页重新开始',
        en: 'The page cursor is invalid; start again from the first page',
      },
      undefined,
      [{ field: 'query.cursor', message: 'is not a cursor issued for this listing' }],
    );
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success || envelope.data.k !== kind) throw invalid();
  const parsed = values.safeParse(envelope.data.v);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

/** A positive integer id inside a cursor. */
export const cursorId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
