/**
 * Where the open case goes after a decision — the one rule for every decision in every queue, online or
 * queued offline: the case below the decided one in the queue's order as it was when the action was taken,
 * or the one above when it was the last, or none (the pane closes) when nothing is left. Cases that left
 * the queue because of my own decisions (`gone`: decided here, or waiting in the outbox to be sent) are
 * never "next", even while the queue still lists them.
 *
 * `order`: the ids of the queue's rows held when the action was taken, in the queue's order. Returns null
 * when the decided case is not among them and nothing else is known (the pane closes).
 */
export function nextAfterDecision(
  order: readonly number[],
  decided: number,
  gone: ReadonlySet<number>,
): number | null {
  const at = order.indexOf(decided);
  if (at < 0) return null;
  const open = (id: number) => id !== decided && !gone.has(id);
  for (let i = at + 1; i < order.length; i++) if (open(order[i]!)) return order[i]!;
  for (let i = at - 1; i >= 0; i--) if (open(order[i]!)) return order[i]!;
  return null;
}
