import { describe, expect, it } from 'vitest';
import { fenToYuan, formatFen, platformFee, yuanToFen } from './money';

describe('money', () => {
  it('converts gateway yuan strings to fen exactly, never through floats', () => {
    expect(yuanToFen('88.00')).toBe(8800);
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(yuanToFen('1234567.89')).toBe(123456789);
    expect(yuanToFen('12')).toBe(1200);
  });

  it('refuses anything that is not a plain amount with at most two decimals', () => {
    for (const bad of ['1e3', '-1', '88.001', ' 1', '1 ', '01.00', '.5', '5.', '', 'NaN', '1,000.00', '１０'])
      expect(yuanToFen(bad), bad).toBeNull();
  });

  it('formats fen as yuan with two decimals and round-trips', () => {
    expect(fenToYuan(8800)).toBe('88.00');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(0)).toBe('0.00');
    for (const fen of [1, 99, 100, 12345, 987654321]) expect(yuanToFen(fenToYuan(fen))).toBe(fen);
    expect(() => fenToYuan(1.5)).toThrow();
    expect(() => fenToYuan(-1)).toThrow();
  });

  it('formats money for people one way: ¥, thousands grouped, two decimals, a minus sign when negative', () => {
    expect(formatFen(600_000)).toBe('¥6,000.00');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(99_999)).toBe('¥999.99');
    expect(formatFen(100_000)).toBe('¥1,000.00');
    expect(formatFen(123_456_789)).toBe('¥1,234,567.89');
    expect(formatFen(10_000_000_000_000)).toBe('¥100,000,000,000.00');
    expect(formatFen(-1234)).toBe('-¥12.34');
    expect(formatFen(-600_000)).toBe('-¥6,000.00');
    expect(formatFen(600_000, { symbol: false })).toBe('6,000.00');
    expect(formatFen(-5, { symbol: false })).toBe('-0.05');
    expect(() => formatFen(1.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
  });

  it('rounds the platform fee down so the freelancer never gets less than due', () => {
    expect(platformFee(9999, 1000)).toBe(999);
    expect(platformFee(10_000, 1000)).toBe(1000);
    expect(platformFee(1, 1000)).toBe(0);
  });
});
