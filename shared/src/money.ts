import { z } from 'zod';

/**
 * Money is always an integer number of fen (分, 1/100 yuan). It stays far below 2^53, so a JS number
 * holds it exactly; the database stores BIGINT. Floats never touch money.
 */
export const MAX_FEN = 100_000_000_000_00; // ¥100 billion — far beyond any single movement, far below 2^53

/** A non-negative amount in fen. Refuses fractions, negatives, NaN and amounts beyond MAX_FEN. */
export const fenSchema = z
  .number({ error: 'amount must be an integer number of fen' })
  .int({ error: 'amount must be an integer number of fen (no fractions)' })
  .min(0, { error: 'amount must not be negative' })
  .max(MAX_FEN, { error: 'amount is too large' });

/** A strictly positive amount in fen. */
export const positiveFenSchema = fenSchema.refine((v) => v > 0, {
  error: 'amount must be greater than zero',
});

const YUAN_PATTERN = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/**
 * Converts a yuan decimal string as the gateways send it (`"88.00"`, `"0.5"`, `"12"`) to fen exactly,
 * by string arithmetic. Returns null for anything that is not a plain non-negative decimal with at most
 * two fraction digits (`"1e3"`, `"-1"`, `"1.005"`, `" 1"`), so a malformed amount can never be guessed.
 */
export function yuanToFen(yuan: string): number | null {
  const m = YUAN_PATTERN.exec(yuan);
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = (m[2] ?? '').padEnd(2, '0');
  const fen = whole * 100 + Number(frac);
  return fen <= MAX_FEN ? fen : null;
}

/**
 * Formats fen as the gateways' yuan string with exactly two decimals: 8800 → "88.00". For gateways and
 * machine-read amounts only; anything a person reads goes through formatFen.
 */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a fen amount: ${fen}`);
  const s = String(fen).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/**
 * THE money formatter for people: every case title written by the core, every amount on the console's
 * screens and every amount in its CSV exports. Integer fen in; thousands grouped, two decimals, a
 * negative amount with a leading minus: 600000 → "¥6,000.00", -1234 → "-¥12.34". `symbol: false` leaves
 * the "¥" off for an input that shows it as its own prefix (600000 → "6,000.00"). Exact string
 * arithmetic over fenToYuan's digits; throws on a fraction of a fen like fenToYuan.
 */
export function formatFen(fen: number, opts: { symbol?: boolean } = {}): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a fen amount: ${fen}`);
  const [whole = '0', cents = '00'] = fenToYuan(Math.abs(fen)).split('.');
  const grouped = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
  return `${fen < 0 ? '-' : ''}${opts.symbol === false ? '' : '¥'}${grouped}`;
}

/** Platform fee on a completed order, in fen, rounded down so the freelancer never gets less than due. */
export function platformFee(amountFen: number, feeBasisPoints: number): number {
  return Math.floor((amountFen * feeBasisPoints) / 10_000);
}
