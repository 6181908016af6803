import { ERROR_MESSAGES, type ErrorCode, type FieldProblem, type Problem } from '@jiangxin/shared/errors';

export type Lang = 'zh' | 'en';
export interface Localized {
  zh: string;
  en: string;
}

/**
 * A refusal the client should see: a stable code, an optional localized detail, optional field problems
 * and extra members (the current holder of a conflicting claim, say). Thrown anywhere below a route;
 * the error handler turns it into `application/problem+json` in the caller's language.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: Localized,
    readonly extra?: Record<string, unknown>,
    readonly fieldErrors?: FieldProblem[],
  ) {
    super(detail?.en ?? ERROR_MESSAGES[code].en);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_MESSAGES[this.code].status;
  }
}

/** zh unless the caller prefers English (Accept-Language: en…). */
export function pickLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export function toProblem(err: AppError, lang: Lang, instance?: string): Problem {
  const meta = ERROR_MESSAGES[err.code];
  return {
    type: `https://jiangxin.example/problems/${err.code.replace(/_/g, '-')}`,
    title: meta[lang],
    status: meta.status,
    code: err.code,
    detail: err.detail?.[lang] ?? meta[lang],
    details: { zh: err.detail?.zh ?? meta.zh, en: err.detail?.en ?? meta.en },
    ...(instance ? { instance } : {}),
    ...(err.fieldErrors?.length ? { errors: err.fieldErrors } : {}),
    ...(err.extra ?? {}),
  };
}

/** Shorthand for the most common refusals. */
export const notFound = (what: Localized) => new AppError('not_found', what);
export const forbidden = (why?: Localized) => new AppError('forbidden', why);
