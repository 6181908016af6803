import { yuanToFen } from '@jiangxin/shared/money';

/**
 * The split of a disputed escrow, checked before anything is sent: two yuan amounts typed by a member of
 * staff (refund to the client, release to the freelancer) must each parse exactly to fen, each be more
 * than zero (a split with a zero side is a full refund or release) and add up EXACTLY to the escrow. No
 * floating point touches the amounts: yuan strings become integer fen by string arithmetic
 * (`yuanToFen`), the same rule the core applies (`decide` in core/src/modules/disputes/commands.ts).
 */

/**
 * Why one amount cannot be used, each said in its own words: empty, not a number at all, more than two
 * decimals (`139.005`), negative, zero (a split needs both sides), or more than the escrow.
 */
export type AmountProblem = 'required' | 'not_a_number' | 'decimals' | 'negative' | 'zero' | 'too_large';

export type SplitCheck =
  | { ok: true; refundFen: number; releaseFen: number }
  | {
      ok: false;
      refundFen: number | null;
      releaseFen: number | null;
      refundProblem: AmountProblem | null;
      releaseProblem: AmountProblem | null;
      /**
       * `escrow − (refund + release)` when both amounts parse: positive means short by that much
       * ("还差 ¥12.00"), negative means over by that much; null when an amount does not parse.
       */
      remainderFen: number | null;
    };

/**
 * A typed yuan amount to fen: `12`, `12.5`, `12.50`, `¥1,234.56`, full-width digits and separators too.
 * Null when it is not a plain non-negative amount with at most two decimals (`1e3`, `-1`, `1.005`, `abc`).
 */
export function parseYuanInput(input: string): number | null {
  const normalized = normalizeYuan(input);
  if (normalized === '') return null;
  return yuanToFen(normalized);
}

/** The typed text as plain ASCII yuan: full-width digits, `¥`, spaces and thousands separators removed. */
function normalizeYuan(input: string): string {
  return (
    input
      // Full-width digits and punctuation a Chinese IME may produce.
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/．|。/g, '.')
      .replace(/\s+/g, '')
      .replace(/^[¥￥]/, '')
      .replace(/[－−]/g, '-')
      .replace(/[,，](?=\d{3}(?:\D|$))/g, '')
  );
}

/** Why a non-empty text that `parseYuanInput` refuses is not an amount (string rules only, no floats). */
function unparsableProblem(input: string): AmountProblem {
  const normalized = normalizeYuan(input);
  const unsigned = normalized.replace(/^-/, '');
  if (/^\d+(?:\.\d+)?$/.test(unsigned) && !/^0\d/.test(unsigned)) {
    if (normalized.startsWith('-')) return /^0+(?:\.0+)?$/.test(unsigned) ? 'zero' : 'negative';
    if (/\.\d{3,}$/.test(unsigned)) return 'decimals';
    // Digits with at most two decimals that still do not parse: beyond what any amount can be.
    return 'too_large';
  }
  return 'not_a_number';
}

function amount(input: string): { fen: number | null; problem: AmountProblem | null } {
  if (input.trim() === '') return { fen: null, problem: 'required' };
  const fen = parseYuanInput(input);
  if (fen === null) return { fen: null, problem: unparsableProblem(input) };
  if (fen === 0) return { fen, problem: 'zero' };
  return { fen, problem: null };
}

/** Checks a split of `escrowFen` typed as yuan; `ok` only when it may be sent as it is. */
export function validateSplit(refundInput: string, releaseInput: string, escrowFen: number): SplitCheck {
  const refund = amount(refundInput);
  const release = amount(releaseInput);
  if (refund.fen !== null && refund.fen > escrowFen) refund.problem ??= 'too_large';
  if (release.fen !== null && release.fen > escrowFen) release.problem ??= 'too_large';
  const remainderFen =
    refund.fen !== null && release.fen !== null ? escrowFen - refund.fen - release.fen : null;
  if (refund.problem === null && release.problem === null && remainderFen === 0)
    return { ok: true, refundFen: refund.fen!, releaseFen: release.fen! };
  return {
    ok: false,
    refundFen: refund.fen,
    releaseFen: release.fen,
    refundProblem: refund.problem,
    releaseProblem: release.problem,
    remainderFen,
  };
}

/** What the other side gets when one side is `fen` (for the "rest to …" helper); null when it cannot. */
export function restOf(escrowFen: number, fen: number | null): number | null {
  return fen === null || fen <= 0 || fen >= escrowFen ? null : escrowFen - fen;
}
