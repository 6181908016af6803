import type { OutboxItem } from '@jiangxin/shared/bridge';
import type { QueueColumn } from '@jiangxin/shared/console/views';
import {
  CASE_FLAG_LABELS,
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  type CaseFlag,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import type { Presence } from '@jiangxin/shared/ops/stream';
import {
  type ColumnDef,
  columnVisibilityFeature,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { formatFen } from '../../format';
import type { Locale, Translator } from '../../i18n';
import { caseTitleNodes } from '../../kit/case-title';
import { OUTBOX_STATE_LABELS } from '../../outbox/OutboxPanel';
import { slaLabel } from './sla';
import type { useCaseStrings } from './strings';

export const queueFeatures = tableFeatures({ columnVisibilityFeature, rowSortingFeature });

type CaseStrings = ReturnType<typeof useCaseStrings>;
type Viewers = Presence['viewers'];

/** What the queue's cells need besides the row: the queue's state, passed to the table. */
export interface QueueCellContext {
  locale: Locale;
  t: Translator;
  s: CaseStrings;
  now: number;
  myId: number;
  queued: ReadonlyMap<number, OutboxItem>;
  presence: ReadonlyMap<number, Viewers>;
  claiming: ReadonlySet<number>;
  rowErrors: Readonly<Record<number, string>>;
  claim: (c: CaseSummary) => void;
}

/**
 * The order flags are shown in, most severe first: the queue shows the first and "+N" for the rest. A
 * prohibited word (content the platform must not carry) outranks a contact leak (a bypass of the
 * platform); both outrank the approval steps. `sla_breached` is the SLA column's, not a flag chip.
 */
export const FLAG_SEVERITY: readonly CaseFlag[] = [
  'risk',
  'prohibited_word',
  'contact_leak',
  'second_approval_pending',
  'maker_checker',
  'reopened',
];
const severity = (f: CaseFlag) => {
  const at = FLAG_SEVERITY.indexOf(f);
  return at < 0 ? FLAG_SEVERITY.length : at;
};
/** A case's flags most severe first (FLAG_SEVERITY), as the queue row and the case's frame list them. */
export const bySeverity = (flags: readonly CaseFlag[]): CaseFlag[] =>
  [...flags].sort((a, b) => severity(a) - severity(b));

/**
 * A row's flags: the most severe as a chip, "+N" for the others, and every flag in the cell's tooltip
 * (the native `title`: an antd Tooltip per row is too heavy for a fast scroll) and, for screen readers,
 * in a visually hidden list. One chip and a count always fit the column, so the flag a moderator triages
 * by is never cut off.
 */
function flagsCell(c: CaseSummary, _: QueueRowState, { t }: QueueRowShared): ReactNode {
  const flags = bySeverity(c.flags.filter((f) => f !== 'sla_breached'));
  const [first, ...rest] = flags;
  if (!first) return null;
  const labels = flags.map((f) => t.pick(CASE_FLAG_LABELS[f]));
  const sep = t.locale.startsWith('zh') ? '、' : ', ';
  return (
    <span className="flags" title={labels.join(sep)} data-testid={`case-flags-${c.id}`}>
      <span className={`flag-tag flag flag-${first}`}>{labels[0]}</span>
      {rest.length > 0 && (
        <>
          <span className="flag-tag flag-more" aria-hidden="true">
            +{rest.length}
          </span>
          <span className="sr-only">
            {sep}
            {labels.slice(1).join(sep)}
          </span>
        </>
      )}
    </span>
  );
}

/** Which columns sort the cache query, and by which key (CASE_SORTS). */
export const SORTABLE: Partial<Record<QueueColumn, 'sla' | 'priority' | 'created' | 'amount'>> = {
  sla: 'sla',
  priority: 'priority',
  created: 'created',
  amount: 'amount',
};

export const DEFAULT_COLUMNS: readonly QueueColumn[] = [
  'id',
  'title',
  'status',
  'priority',
  'assignee',
  'amount',
  'sla',
  'flags',
];

export const COLUMN_LABELS: Record<QueueColumn, Parameters<CaseStrings>[0]> = {
  id: 'colId',
  kind: 'colKind',
  status: 'colStatus',
  title: 'colTitle',
  priority: 'colPriority',
  assignee: 'colAssignee',
  amount: 'colAmount',
  sla: 'colSla',
  created: 'colCreated',
  flags: 'colFlags',
};

/**
 * The words a row uses, formatted once per language rather than once per row: a row scrolled into view
 * must cost a fraction of a millisecond, and one i18next lookup with a placeholder costs tens of µs.
 * A placeholder word becomes a function that splices the value into the translated text.
 */
export interface QueueRowWords {
  unclaimed: string;
  claim: string;
  heldByMe: string;
  claimCase: (id: number) => string;
  selectRow: (id: number) => string;
  viewing: (names: string) => string;
  sla: { none: string; over: (time: string) => string; left: (time: string) => string };
}

const MARK = '\u0000';
function splice(s: CaseStrings, key: Parameters<CaseStrings>[0], name: string) {
  const parts = s(key, { [name]: MARK }).split(MARK);
  return (value: string | number) => parts.join(String(value));
}

const WORDS = new WeakMap<CaseStrings, QueueRowWords>();
/** The row words of one language's table (`useCaseStrings()` returns one stable function per language). */
export function queueRowWords(s: CaseStrings): QueueRowWords {
  let words = WORDS.get(s);
  if (!words) {
    words = {
      unclaimed: s('unclaimed'),
      claim: s('claim'),
      heldByMe: s('heldByMe'),
      claimCase: splice(s, 'claimCase', 'id'),
      selectRow: splice(s, 'selectRow', 'id'),
      viewing: splice(s, 'viewing', 'names'),
      sla: { none: s('slaNone'), over: splice(s, 'slaOver', 'time'), left: splice(s, 'slaLeft', 'time') },
    };
    WORDS.set(s, words);
  }
  return words;
}

/** `formatDateTime` (format.ts) with one formatter per language instead of one per call. */
const CREATED_FORMATS: Partial<Record<Locale, Intl.DateTimeFormat>> = {};
function formatCreated(iso: string, locale: Locale): string {
  CREATED_FORMATS[locale] ??= new Intl.DateTimeFormat(locale, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return CREATED_FORMATS[locale].format(Date.parse(iso));
}

/** What every row of one render shares (one object per render of the table, not per row). */
export interface QueueRowShared {
  locale: Locale;
  t: Translator;
  words: QueueRowWords;
  now: number;
  myId: number;
  claim: (c: CaseSummary) => void;
}

/** What a row shows besides its case, from the queue's state (absent on almost every row). */
export interface QueueRowState {
  pending: OutboxItem | undefined;
  viewers: Viewers | undefined;
  claiming: boolean;
  error: string | undefined;
}

/**
 * The holder of a claim, with the row's pending action or claim button (every row shows claim state).
 * Cells hold their text directly, without wrapper elements: fewer elements are less to lay out.
 */
function claimCell(c: CaseSummary, row: QueueRowState, shared: QueueRowShared) {
  const { words, myId } = shared;
  const { pending } = row;
  const viewers = row.viewers?.filter((v) => v.userId !== myId);
  return (
    <>
      {pending ? (
        <span
          className={`badge outbox-${pending.state}`}
          data-testid={`case-pending-${c.id}`}
          data-state={pending.state}
        >
          {shared.t.t(OUTBOX_STATE_LABELS[pending.state])}
        </span>
      ) : c.assigneeId === null ? (
        <>
          <span className="muted unclaimed">{words.unclaimed}</span>{' '}
          <button
            type="button"
            className="link-button"
            onClick={(e) => {
              e.stopPropagation();
              shared.claim(c);
            }}
            disabled={row.claiming}
            aria-label={words.claimCase(c.id)}
            data-testid={`case-claim-${c.id}`}
          >
            {words.claim}
          </button>
        </>
      ) : (
        <span
          data-testid={`case-assignee-${c.id}`}
          className={c.assigneeId === myId ? 'held-me' : 'held-other'}
        >
          {c.assigneeId === myId ? words.heldByMe : (c.assigneeName ?? `#${c.assigneeId}`)}
        </span>
      )}
      {viewers && viewers.length > 0 && (
        <span className="viewers" data-testid={`case-viewers-${c.id}`}>
          {' · '}
          {words.viewing(viewers.map((v) => v.nickname).join('、'))}
        </span>
      )}
      {row.error && (
        <span className="problem small" role="alert">
          {' '}
          {row.error}
        </span>
      )}
    </>
  );
}

/**
 * Each column's cell, as a plain function of the case (no component, no hook, no antd component per
 * cell: a fast scroll draws ~50 new rows a frame). The flags look like antd tags (`flag-tag` in
 * styles.css) without being ones.
 */
export const QUEUE_CELLS: Record<
  QueueColumn,
  (c: CaseSummary, row: QueueRowState, shared: QueueRowShared) => ReactNode
> = {
  id: (c) => `#${c.id}`,
  kind: (c, _, { t }) => t.pick(CASE_KIND_LABELS[c.kind]),
  status: (c, _, { t }) => t.pick(CASE_STATUS_LABELS[c.status]),
  title: (c, _, { locale }) => caseTitleNodes(c, locale),
  // The row's class (`priority-N`) gives the colour.
  priority: (c, _, { t }) => t.pick(CASE_PRIORITY_LABELS[c.priority] ?? CASE_PRIORITY_LABELS[0]),
  assignee: claimCell,
  amount: (c) => (c.amountFen === null ? '—' : formatFen(c.amountFen)),
  sla: (c, _, { now, locale, words }) =>
    c.status === 'resolved' ? '—' : slaLabel(c.slaDueAt, c.slaBreached, now, locale, words.sla),
  created: (c, _, { locale }) => formatCreated(c.createdAt, locale),
  flags: flagsCell,
};

/**
 * The queue's columns for TanStack Table: which exist, which are visible and which sort (the header).
 * The rows draw their cells with `QUEUE_CELLS`.
 */
export function queueColumns(): ColumnDef<typeof queueFeatures, CaseSummary>[] {
  return [
    { id: 'id', accessorFn: (c) => c.id, enableSorting: false },
    { id: 'kind', accessorFn: (c) => c.kind, enableSorting: false },
    { id: 'status', accessorFn: (c) => c.status, enableSorting: false },
    { id: 'title', accessorFn: (c) => c.title, enableSorting: false },
    { id: 'priority', accessorFn: (c) => c.priority },
    { id: 'assignee', accessorFn: (c) => c.assigneeName, enableSorting: false },
    { id: 'amount', accessorFn: (c) => c.amountFen },
    { id: 'sla', accessorFn: (c) => c.slaDueAt },
    { id: 'created', accessorFn: (c) => c.createdAt },
    { id: 'flags', accessorFn: (c) => c.flags.join(','), enableSorting: false },
  ];
}
