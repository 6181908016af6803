import { describe, expect, it } from 'vitest';
import { segmentText } from './highlight';
import { hitIn } from './testing';

const TEXT = '加我VX：logo_studio88 或打 13800138000，代写论文也接';

describe('segmentText', () => {
  it('cuts the text into plain runs and the hits at their offsets, losing nothing', () => {
    const hits = [hitIn(TEXT, 'phone', '13800138000'), hitIn(TEXT, 'wechat', 'VX：logo_studio88')];
    const segs = segmentText(TEXT, hits);
    expect(segs.map((s) => [s.text, s.hit?.kind ?? null])).toEqual([
      ['加我', null],
      ['VX：logo_studio88', 'wechat'],
      [' 或打 ', null],
      ['13800138000', 'phone'],
      ['，代写论文也接', null],
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('marks no character twice where hits overlap (the earlier, longer one wins)', () => {
    const long = hitIn(TEXT, 'wechat', 'VX：logo_studio88');
    const inner = { ...hitIn(TEXT, 'url', 'logo_studio88') };
    const segs = segmentText(TEXT, [inner, long]);
    expect(segs.filter((s) => s.hit).map((s) => s.text)).toEqual(['VX：logo_studio88']);
    expect(segs.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('finds a hit by its match when its offsets no longer fit, and drops one that is not there', () => {
    const moved = { kind: 'prohibited_word' as const, match: '代写论文', start: 0, end: 4 };
    const gone = { kind: 'qq' as const, match: 'QQ 123456', start: 2, end: 11 };
    const segs = segmentText(TEXT, [moved, gone]);
    expect(segs.filter((s) => s.hit).map((s) => [s.text, s.hit!.kind])).toEqual([
      ['代写论文', 'prohibited_word'],
    ]);
    expect(segs.map((s) => s.text).join('')).toBe(TEXT);
  });

  it('an empty text or no hits is one plain run', () => {
    expect(segmentText('', [])).toEqual([{ text: '', hit: null }]);
    expect(segmentText('干净的描述')).toEqual([{ text: '干净的描述', hit: null }]);
  });
});
