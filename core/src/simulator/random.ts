/**
 * The simulator's dice: a small seeded PRNG (xorshift-multiply over a 32-bit state) so one `--seed` replays
 * the same sequence of decisions. Not for anything secret.
 */
export class Dice {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so 1, 2, 3 … do not start on neighbouring states.
    let s = (seed ^ 0x5bd1e995) >>> 0;
    s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) >>> 0;
    this.state = s === 0 ? 0x9e3779b9 : s;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A key drawn with probability proportional to its weight; null when every weight is 0. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K | null {
    const entries = Object.entries(weights).filter(([, w]) => typeof w === 'number' && w > 0) as [
      K,
      number,
    ][];
    const total = entries.reduce((acc, [, w]) => acc + w, 0);
    if (total <= 0) return null;
    let roll = this.next() * total;
    for (const [k, w] of entries) {
      roll -= w;
      if (roll < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }

  /** A visible-ASCII token for idempotency keys and user names (drawn from the dice, so replayable). */
  token(length = 12): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}
