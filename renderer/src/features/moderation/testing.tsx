import type { ScanHit, ScanHitKind } from '@jiangxin/shared/ops/moderation';

/** A hit as the scanner stores it: offsets of `match` in `text` (its first occurrence). */
export function hitIn(text: string, kind: ScanHitKind, match: string, category?: string): ScanHit {
  const start = text.indexOf(match);
  if (start < 0) throw new Error(`"${match}" is not in the text`);
  return { kind, match, start, end: start + match.length, ...(category ? { category } : {}) };
}
