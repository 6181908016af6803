import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------
// Text

/**
 * What a single-line field may not contain: C0 controls (NUL, bell, escape, tab, line breaks …), DEL,
 * C1 controls, and the Unicode line and paragraph separators. Written without the `u` flag so the same
 * source is a valid JSON Schema `pattern` (it shows up in /openapi.json, and a test walks it there).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const SINGLE_LINE_PATTERN = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
/** Multi-line text: the same, but a line feed and a tab are allowed (`text()` turns CR LF and CR into LF first). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const MULTI_LINE_PATTERN = /^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$/;
/** No NUL (passwords: taken exactly as typed otherwise). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing NUL is the point
export const NO_NUL_PATTERN = /^[^\u0000]*$/;
/** Bidirectional embedding, override and isolate controls, and the LRM / RLM / ALM marks. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A user-entered string: trimmed, no NUL or other control characters, well-formed Unicode (no lone
 * surrogates), bounded length. Single-line unless `multiline` (message bodies, notes, descriptions,
 * requirements), which also allows `\n` and `\t`. Every free-text field of the API goes through this,
 * so "too long", "control character" and "malformed" refuse the request with a 400 naming the field —
 * before PostgreSQL (which cannot store NUL) or anything else sees it. The control-character rule is a
 * zod `.regex`, so it appears as `pattern` in the OpenAPI document, where a test checks every input.
 */
export function text(opts: { min?: number; max: number; multiline?: boolean }) {
  // Windows and old Mac clients break lines with CR LF or CR: stored as one line feed, not refused.
  return textChecks(
    opts.multiline ? z.string().overwrite((s) => s.replace(/\r\n?/g, '\n')) : z.string(),
    opts,
  );
}

function textChecks(base: z.ZodString, opts: { min?: number; max: number; multiline?: boolean }) {
  return base
    .trim()
    .regex(opts.multiline ? MULTI_LINE_PATTERN : SINGLE_LINE_PATTERN, {
      error: opts.multiline
        ? 'must not contain control characters (line breaks and tabs are allowed)'
        : 'must be one line without control characters',
    })
    .min(opts.min ?? 0, {
      error: opts.min && opts.min > 1 ? `must be at least ${opts.min} characters` : 'must not be empty',
    })
    .max(opts.max, { error: `must be at most ${opts.max} characters` })
    .refine((s) => s.isWellFormed(), { error: 'must be valid UTF-8 text' });
}

/**
 * A name other people see (nickname, payee name, listing title …): single-line `text()`, with the
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) **removed** before the
 * other checks. Removed rather than refused: they are invisible, people paste them in unknowingly with
 * names copied from mixed-direction text, and a name has no legitimate use for them — but left in, an
 * override reorders what is shown after the name ("…RED‮txt.exe"), in the console and in chats. Control
 * characters such as bell or escape are still refused (400), since they can only be deliberate.
 */
export function displayName(opts: { min?: number; max: number }) {
  return textChecks(
    z.string().overwrite((s) => s.replace(BIDI_CONTROLS, '')),
    opts,
  );
}

/**
 * A password as typed: never trimmed or otherwise altered (it is hashed exactly as sent), only NUL is
 * refused — argon2 and PostgreSQL both treat it as a terminator, so it could never be checked reliably.
 */
export function password(opts: { min: number; max: number }) {
  return z
    .string()
    .min(opts.min, {
      error: opts.min > 1 ? `must be at least ${opts.min} characters` : 'must not be empty',
    })
    .max(opts.max, { error: `must be at most ${opts.max} characters` })
    .regex(NO_NUL_PATTERN, { error: 'must not contain NUL characters' });
}

/** A token the API issued (refresh tokens): visible ASCII only, so nothing else reaches a lookup. */
export function issuedToken(opts: { min: number; max: number }) {
  return z
    .string()
    .min(opts.min)
    .max(opts.max)
    .regex(/^[\x21-\x7e]*$/, { error: 'is not a token issued by this service' });
}

/**
 * An opaque page cursor; empty means the first page. Only control characters are refused here: the
 * core's cursor decoder checks the rest (base64url, its listing, its values) and names `query.cursor`.
 */
export function cursorSchema(max = 200) {
  return z.string().max(max).regex(SINGLE_LINE_PATTERN, { error: 'is not a cursor issued by this API' });
}

// ---------------------------------------------------------------------------------------------------
// Numbers and ids in paths and query strings

/**
 * Numbers arrive in paths and query strings as text. `z.coerce.number()` took `0x10`, `1e1`, ` 16`,
 * `+16`, `016` and `16.0` all for a number, so a probe of `/ops/users/0x10/reveal` acted on user 16.
 * These schemas take decimal digits only (a JS number too, for the console bridge, which passes the
 * same schemas numbers), then check the range. The digits rule is a regex, so it is the parameter's
 * `pattern` in the OpenAPI document.
 */
const fromNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v);

/** A positive id: `^[1-9][0-9]{0,15}$` and at most `Number.MAX_SAFE_INTEGER`. */
export const DECIMAL_ID_PATTERN = /^[1-9][0-9]{0,15}$/;

/** Database ids are positive integers (BIGINT identity). */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An id in a path or query string: decimal digits, no sign, no leading zero, ≤ MAX_SAFE_INTEGER. */
export const idQuery = z.preprocess(
  fromNumber,
  z
    .string()
    .regex(DECIMAL_ID_PATTERN, { error: 'must be an id in decimal digits, such as 42' })
    .transform(Number)
    .pipe(idSchema),
);

/** A whole number in a query string (a page size, a seq, an amount in fen): decimal digits only. */
export function queryInt(opts: { min: number; max?: number }) {
  return z.preprocess(
    fromNumber,
    z
      .string()
      .regex(/^(0|[1-9][0-9]{0,15})$/, { error: 'must be a whole number in decimal digits' })
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(opts.min, { error: `must be at least ${opts.min}` })
          .max(opts.max ?? Number.MAX_SAFE_INTEGER, {
            error: `must be at most ${opts.max ?? Number.MAX_SAFE_INTEGER}`,
          }),
      ),
  );
}

/** A decimal number in a query string (a rating): digits with an optional fraction, nothing else. */
export function queryDecimal(opts: { min: number; max: number }) {
  return z.preprocess(
    fromNumber,
    z
      .string()
      .regex(/^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/, { error: 'must be a number in decimal digits' })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(opts.min, { error: `must be at least ${opts.min}` })
          .max(opts.max, { error: `must be at most ${opts.max}` }),
      ),
  );
}

export const idParamSchema = z.object({ id: idQuery });

/** Cursor pagination: an opaque cursor from the previous page and a page size. */
export const pageQuerySchema = z.object({
  cursor: cursorSchema().optional(),
  limit: queryInt({ min: 1, max: 100 }).default(20),
});

/** A page of items; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

// ---------------------------------------------------------------------------------------------------
// Dates

/** How a response writes an instant (always `Date.toISOString()`). */
export const isoDateTime = z.string().describe('ISO 8601 date-time');

/** Instants accepted from callers: years 2000–2100 (a wider date is a typo or a probe, never a filter). */
export const INSTANT_MIN_YEAR = 2000;
export const INSTANT_MAX_YEAR = 2100;

const ISO_INSTANT_PATTERN =
  /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$/;

/**
 * An instant in a query string (`createdFrom`, `from`, `to` …), parsed strictly: an ISO 8601 date-time
 * with its offset (`2026-11-27T08:00:00+08:00`, `2026-11-27T00:00:00.000Z`), or a date alone, which
 * means midnight China time (UTC+08:00) — the marketplace's business day, as the dashboards count it.
 * A real calendar day (no 30 February), year 2000–2100. `yesterday`, `1e20` or `x` are a 400 naming
 * the parameter, not a 500 from PostgreSQL. The value comes out normalised as `Date.toISOString()`.
 */
export const isoInstantQuery = z
  .string()
  .regex(ISO_INSTANT_PATTERN, {
    error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T08:00:00+08:00, or a date',
    abort: true,
  })
  .refine(
    (v) => {
      const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, m - 1, d));
      return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    },
    { error: 'must be a real calendar date' },
  )
  .refine(
    (v) => {
      const y = Number(v.slice(0, 4));
      return y >= INSTANT_MIN_YEAR && y <= INSTANT_MAX_YEAR;
    },
    { error: `must be between the years ${INSTANT_MIN_YEAR} and ${INSTANT_MAX_YEAR}` },
  )
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00+08:00` : v).toISOString());

export const okSchema = z.object({ ok: z.literal(true) });

/** Chinese mainland mobile number, 11 digits starting with 1[3-9]. */
export const cnMobileSchema = z
  .string()
  .regex(/^1[3-9]\d{9}$/, { error: 'must be an 11-digit mainland mobile number' });
