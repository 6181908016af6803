/** Splits rows into chunks small enough for one multi-row INSERT (PostgreSQL allows 65,535 parameters). */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const step = Math.max(1, size);
  for (let i = 0; i < rows.length; i += step) out.push(rows.slice(i, i + step));
  return out;
}

/**
 * Inserts rows in chunks and returns their new ids in row order. Ids come from an identity column, which
 * numbers one statement's rows in VALUES order, so sorting the returned ids recovers the order whatever
 * order RETURNING uses.
 */
export async function insertIds<R>(
  rows: readonly R[],
  size: number,
  insert: (chunk: R[]) => Promise<{ id: number }[]>,
): Promise<number[]> {
  const ids: number[] = [];
  for (const chunk of chunks(rows, size)) {
    const got = (await insert(chunk)).map((r) => Number(r.id)).sort((a, b) => a - b);
    ids.push(...got);
  }
  return ids;
}
