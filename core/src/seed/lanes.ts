/**
 * Runs `work` on `items` split into `concurrency` lanes by `laneOf`: the items of one lane one after the
 * other in their given order, the lanes at once. The seed's user groups share no wallet, rating or
 * conversation row, so lanes of different groups never wait for each other's locks; with one lane (PGlite
 * has one connection) everything runs in order.
 */
export async function inLanes<T>(
  items: readonly T[],
  concurrency: number,
  laneOf: (item: T) => number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const count = Math.max(1, concurrency);
  const lanes: T[][] = Array.from({ length: count }, () => []);
  for (const item of items) lanes[laneOf(item) % count]!.push(item);
  await Promise.all(
    lanes.map(async (lane) => {
      for (const item of lane) await work(item);
    }),
  );
}
