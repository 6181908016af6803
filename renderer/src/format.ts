import type { Locale } from './i18n';

/** 123456 → "¥1,234.56": the one money formatter, shared with the core's case titles and CSV exports. */
export { formatFen } from '@jiangxin/shared/money';

/** Local date and time to the minute, e.g. "11-26 14:05". */
export function formatDateTime(iso: string, locale: Locale): string {
  return new Date(iso).toLocaleString(locale, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/** Local time of day to the second, e.g. "14:05:09". */
export function formatTime(iso: string, locale: Locale): string {
  return new Date(iso).toLocaleTimeString(locale, { hour12: false });
}

/** A file size as people read it: 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
