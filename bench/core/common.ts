import { createJiangxinClient } from '@jiangxin/client';

/** A non-negative number from the environment, or `dflt` when unset; anything else stops the bench. */
export function envNumber(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
}

/** A progress line with the time of day. */
export const say = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/**
 * The sampled paid orders read back through the typed client (openapi-fetch), as each client sees it:
 * one line per order that is not `pending_acceptance`.
 */
export async function sampledOrderProblems(
  baseUrl: string,
  sampled: readonly { orderId: number; token: string }[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const s of sampled) {
    const api = createJiangxinClient({ baseUrl, token: s.token });
    const r = await api.GET('/api/v1/orders/{id}', { params: { path: { id: String(s.orderId) } } });
    const status = r.data ? r.data.status : `HTTP ${r.response.status}`;
    if (status !== 'pending_acceptance') problems.push(`order ${s.orderId}: ${status}`);
  }
  return problems;
}
