import type { ScanHit } from '@jiangxin/shared/ops/moderation';

/** A run of text, highlighted when it is a scanner hit. */
export interface Segment {
  text: string;
  hit: ScanHit | null;
}

/**
 * Cuts `text` into plain runs and the scanner's hits, in order. A hit's offsets are UTF-16 offsets into
 * the text (`text.slice(start, end) === match`); a hit whose offsets do not fit (the text changed since it
 * was scanned) is looked up by its match instead, and dropped when that is not in the text either. Where
 * hits overlap, the earlier (at the same start: the longer) one wins, so no character is marked twice.
 */
export function segmentText(text: string, hits: readonly ScanHit[] = []): Segment[] {
  const placed: ScanHit[] = [];
  for (const hit of hits) {
    if (hit.match === '') continue;
    if (hit.start >= 0 && hit.end <= text.length && text.slice(hit.start, hit.end) === hit.match) {
      placed.push(hit);
      continue;
    }
    const at = text.indexOf(hit.match);
    if (at >= 0) placed.push({ ...hit, start: at, end: at + hit.match.length });
  }
  placed.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Segment[] = [];
  let pos = 0;
  for (const hit of placed) {
    if (hit.start < pos) continue;
    if (hit.start > pos) out.push({ text: text.slice(pos, hit.start), hit: null });
    out.push({ text: text.slice(hit.start, hit.end), hit });
    pos = hit.end;
  }
  if (pos < text.length || out.length === 0) out.push({ text: text.slice(pos), hit: null });
  return out;
}
