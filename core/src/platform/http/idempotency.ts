import { z } from 'zod';
import { writeAtCommit } from '../db/at-commit';
import type { Tx } from '../db/database';
import { sha256Hex } from './auth';
import { AppError } from './problem';

/** What an `Idempotency-Key` may be: 8–128 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;

/**
 * The `Idempotency-Key` header of a route that moves money, as a route schema: a malformed key is a 400
 * naming the header before the handler runs (and the rule is the header's `pattern` in the OpenAPI
 * document). Absent is allowed here; the route refuses it with `idempotency_key_required`.
 */
export const idempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, { error: 'must be 8–128 visible ASCII characters' })
    .optional()
    .describe(
      'required: 8–128 visible ASCII characters, unique per intended operation; a retry with the same key returns the first result',
    ),
});

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** Deterministic JSON for hashing a request body (object keys sorted). */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Runs a money-moving command at most once per (user, scope, key), inside the command's transaction.
 * The key row is inserted first, so a concurrent duplicate waits on the unique index and then sees the
 * stored response; a retry with the same key and the same request gets the first response back; the
 * same key with a different request is refused. If the command fails, its transaction rolls back and
 * the key is free again. `stored` changes the answer as it is kept and back as it is replayed: an answer
 * carrying personal data keeps it sealed (platform/crypto/pii.ts), like the tables it came from.
 */
export async function runIdempotent<T>(
  tx: Tx,
  k: { userId: number; scope: string; key: string; request: unknown },
  command: () => Promise<{ status: number; body: T }>,
  stored: { keep(body: T): unknown; replay(kept: unknown): T } = { keep: (b) => b, replay: (b) => b as T },
): Promise<IdempotentResult<T>> {
  if (!IDEMPOTENCY_KEY_PATTERN.test(k.key)) {
    throw new AppError(
      'validation_failed',
      {
        zh: 'Idempotency-Key 须为 8–128 个可见 ASCII 字符',
        en: 'Idempotency-Key must be 8–128 visible ASCII characters',
      },
      undefined,
      [{ field: 'Idempotency-Key', message: 'must be 8–128 visible ASCII characters' }],
    );
  }
  const requestHash = sha256Hex(stableStringify(k.request));
  const inserted = await tx
    .insertInto('idempotency_keys')
    .values({ user_id: k.userId, scope: k.scope, key: k.key, request_hash: requestHash, response_body: null })
    .onConflict((oc) => oc.columns(['user_id', 'scope', 'key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await tx
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'response_status', 'response_body'])
      .where('user_id', '=', k.userId)
      .where('scope', '=', k.scope)
      .where('key', '=', k.key)
      .executeTakeFirstOrThrow();
    if (existing.request_hash !== requestHash) throw new AppError('idempotency_key_reused');
    if (existing.response_status === null) throw new AppError('idempotency_in_progress');
    return { status: existing.response_status, body: stored.replay(existing.response_body), replayed: true };
  }
  const result = await command();
  // The stored answer is read only by later requests: it rides on the transaction's last statement.
  await writeAtCommit(
    tx,
    tx
      .updateTable('idempotency_keys')
      .set({ response_status: result.status, response_body: JSON.stringify(stored.keep(result.body)) })
      .where('id', '=', inserted.id),
  );
  return { ...result, replayed: false };
}
