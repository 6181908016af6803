import type { ConsoleBridge } from '@jiangxin/shared/bridge';
import type { QueueColumn } from '@jiangxin/shared/console/views';
import { formatFen } from '@jiangxin/shared/money';
import {
  CASE_FLAG_LABELS,
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import type { Translator } from '../../i18n';
import { caseTitleText } from '../../kit/case-title';
import { COLUMN_LABELS } from './columns';
import { csvDocument } from './csv';
import type { useCaseStrings } from './strings';
import type { CaseQuery } from './useCaseWindow';

/** Rows read per request while exporting (the cache answers 5,000 rows in a few milliseconds). */
const EXPORT_PAGE = 5_000;

/** A time as spreadsheets read it and people too, in local time: "2026-11-27 08:01" (not an ISO code). */
export function csvDateTime(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * One cell in the reader's language: statuses, kinds, priorities and flags in words (never their codes),
 * the title as the queue shows it (rebuilt in English around what people typed), times readable.
 */
function cellText(column: QueueColumn, c: CaseSummary, t: Translator): string | number | null {
  switch (column) {
    case 'id':
      return c.id;
    case 'kind':
      return t.pick(CASE_KIND_LABELS[c.kind]);
    case 'status':
      return t.pick(CASE_STATUS_LABELS[c.status]);
    case 'title':
      return caseTitleText(c, t.locale);
    case 'priority':
      return t.pick(CASE_PRIORITY_LABELS[c.priority] ?? CASE_PRIORITY_LABELS[0]);
    case 'assignee':
      return c.assigneeName;
    case 'amount':
      // As on screen and in the case titles: ¥6,000.00 (exact, no floating point on money).
      return c.amountFen === null ? null : formatFen(c.amountFen);
    case 'sla':
      return csvDateTime(c.slaDueAt);
    case 'created':
      return csvDateTime(c.createdAt);
    case 'flags':
      return c.flags.map((f) => t.pick(CASE_FLAG_LABELS[f])).join(t.locale === 'en' ? ', ' : '、');
  }
}

/**
 * Every row of the current filtered view (not just what is on screen), in the view's sort order and
 * columns, as CSV. Reads the cache page by page and reports progress.
 */
export async function exportQueueCsv(
  bridge: ConsoleBridge,
  query: CaseQuery,
  columns: readonly QueueColumn[],
  t: Translator,
  s: ReturnType<typeof useCaseStrings>,
  onProgress: (done: number, total: number) => void,
): Promise<{ csv: string; rows: number }> {
  const rows: (string | number | null)[][] = [];
  let total = Number.POSITIVE_INFINITY;
  for (let offset = 0; offset < total; offset += EXPORT_PAGE) {
    const page = await bridge.call('cases.list', { ...query, offset, limit: EXPORT_PAGE });
    total = page.total;
    for (const c of page.items) rows.push(columns.map((col) => cellText(col, c, t)));
    onProgress(rows.length, total);
    if (page.items.length === 0) break;
  }
  const header = columns.map((col) => s(COLUMN_LABELS[col]));
  return { csv: csvDocument(header, rows), rows: rows.length };
}
