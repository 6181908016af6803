import { describe, expect, it } from 'vitest';
import { parseYuanInput, restOf, validateSplit } from './split';

const ESCROW = 50_000; // ¥500.00

describe('parseYuanInput', () => {
  it('turns typed yuan into integer fen exactly', () => {
    expect(parseYuanInput('300')).toBe(30_000);
    expect(parseYuanInput('0.1')).toBe(10);
    expect(parseYuanInput('12.5')).toBe(1_250);
    expect(parseYuanInput('¥1,234.56')).toBe(123_456);
    expect(parseYuanInput(' 88.00 ')).toBe(8_800);
    expect(parseYuanInput('１２．３')).toBe(1_230);
    // 0.1 + 0.2 in floats is 0.30000000000000004; here it is exact string arithmetic.
    expect(parseYuanInput('0.1')! + parseYuanInput('0.2')!).toBe(parseYuanInput('0.3'));
  });

  it('refuses anything that is not a plain amount with at most two decimals', () => {
    for (const bad of ['', 'abc', '-1', '1.005', '1e3', '1,23', '12.', '.5', '1 2 3.4.5'])
      expect(parseYuanInput(bad), bad).toBeNull();
  });
});

describe('validateSplit', () => {
  it('accepts two positive amounts that add up exactly to the escrow, as integer fen', () => {
    expect(validateSplit('300', '200.00', ESCROW)).toEqual({
      ok: true,
      refundFen: 30_000,
      releaseFen: 20_000,
    });
    expect(validateSplit('0.01', '499.99', ESCROW)).toEqual({ ok: true, refundFen: 1, releaseFen: 49_999 });
  });

  it('says by how much a wrong sum is short or over', () => {
    expect(validateSplit('300', '188', ESCROW)).toMatchObject({ ok: false, remainderFen: 1_200 });
    expect(validateSplit('300', '200.03', ESCROW)).toMatchObject({ ok: false, remainderFen: -3 });
  });

  it('names the amount that is missing, malformed, zero or beyond the escrow', () => {
    expect(validateSplit('', '200', ESCROW)).toMatchObject({
      ok: false,
      refundProblem: 'required',
      releaseProblem: null,
      remainderFen: null,
    });
    expect(validateSplit('3OO', '200', ESCROW)).toMatchObject({
      refundProblem: 'not_a_number',
      remainderFen: null,
    });
    expect(validateSplit('500', '0', ESCROW)).toMatchObject({
      ok: false,
      releaseProblem: 'zero',
      remainderFen: 0,
    });
    expect(validateSplit('600', '1', ESCROW)).toMatchObject({ ok: false, refundProblem: 'too_large' });
  });

  it('says each kind of wrong amount in its own way, for the field it is in', () => {
    expect(validateSplit('139.005', '200', ESCROW)).toMatchObject({
      ok: false,
      refundProblem: 'decimals',
      releaseProblem: null,
    });
    expect(validateSplit('300', '200.001', ESCROW)).toMatchObject({
      refundProblem: null,
      releaseProblem: 'decimals',
    });
    expect(validateSplit('-100', '600', ESCROW)).toMatchObject({
      refundProblem: 'negative',
      releaseProblem: 'too_large',
    });
    expect(validateSplit('－１００', '200', ESCROW)).toMatchObject({ refundProblem: 'negative' });
    expect(validateSplit('abc', '1e3', ESCROW)).toMatchObject({
      refundProblem: 'not_a_number',
      releaseProblem: 'not_a_number',
    });
    expect(validateSplit('300', '9999999999999', ESCROW)).toMatchObject({ releaseProblem: 'too_large' });
    expect(validateSplit('007', '200', ESCROW)).toMatchObject({ refundProblem: 'not_a_number' });
  });

  it('restOf gives the other side of a split, or null when there is none', () => {
    expect(restOf(ESCROW, 30_000)).toBe(20_000);
    expect(restOf(ESCROW, ESCROW)).toBeNull();
    expect(restOf(ESCROW, 0)).toBeNull();
    expect(restOf(ESCROW, null)).toBeNull();
  });
});
