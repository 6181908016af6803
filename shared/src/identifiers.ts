/**
 * How a sign-in name (username, email or mainland mobile number) is compared. The login rate limits and
 * authentication both key on this one function, so no spelling of a name — padded with spaces, tabs or
 * the full-width space (U+3000), typed in full-width letters, with a zero-width joiner, in other case, a
 * phone number with `+86` or separators — reaches the password check under a counter of its own.
 */
export function normalizeLoginIdentifier(raw: string): string {
  // NFKC folds full-width forms (ｃｌｉｅｎｔ, the ideographic space) into their ASCII equivalents.
  const folded = raw
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(/^\s+|\s+$/gu, '')
    .toLowerCase();
  const phone = folded.replace(/[\s\-()]/gu, '').replace(/^(\+|00)?86(?=1[3-9]\d{9}$)/u, '');
  return MAINLAND_MOBILE.test(phone) ? phone : folded;
}

/** Zero-width and format characters that render as nothing (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen). */
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/gu;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/u;
