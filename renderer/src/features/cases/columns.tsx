import type { OutboxItem } from '@jiangxin/shared/bridge';
import type { QueueColumn } from '@jiangxin/shared/console/views';
import {
  CASE_FLAG_LABELS,
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import type { Presence } from '@jiangxin/shared/ops/stream';
import {
  type ColumnDef,
  columnVisibilityFeature,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/react-table';
import { Tag } from 'antd';
import { formatDateTime, formatFen } from '../../format';
import type { Locale, Translator } from '../../i18n';
import { OUTBOX_STATE_LABELS } from '../outbox/OutboxPanel';
import { SlaCountdown } from './sla';
import type { useCaseStrings } from './strings';

export const queueFeatures = tableFeatures({ columnVisibilityFeature, rowSortingFeature });

/** What the cells need besides the row, passed as the table's meta. */
export interface QueueCellContext {
  locale: Locale;
  t: Translator;
  s: ReturnType<typeof useCaseStrings>;
  now: number;
  myId: number;
  queued: ReadonlyMap<number, OutboxItem>;
  presence: ReadonlyMap<number, Presence['viewers']>;
  claiming: ReadonlySet<number>;
  rowErrors: Readonly<Record<number, string>>;
  claim: (c: CaseSummary) => void;
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

export const COLUMN_LABELS: Record<QueueColumn, Parameters<ReturnType<typeof useCaseStrings>>[0]> = {
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

type Ctx = { ctx: QueueCellContext; c: CaseSummary };

/** The holder of a claim, with the row's pending action or claim button (every row shows claim state). */
function ClaimCell({ ctx, c }: Ctx) {
  const { s, queued, claiming, rowErrors, myId, presence } = ctx;
  const pending = queued.get(c.id);
  const viewers = (presence.get(c.id) ?? []).filter((v) => v.userId !== myId);
  return (
    <span className="claim-cell">
      {pending ? (
        <span
          className={`badge outbox-${pending.state}`}
          data-testid={`case-pending-${c.id}`}
          data-state={pending.state}
        >
          {ctx.t.t(OUTBOX_STATE_LABELS[pending.state])}
        </span>
      ) : c.assigneeId === null ? (
        <>
          <span className="muted">{s('unclaimed')}</span>{' '}
          <button
            type="button"
            className="link-button"
            onClick={(e) => {
              e.stopPropagation();
              ctx.claim(c);
            }}
            disabled={claiming.has(c.id)}
            aria-label={s('claimCase', { id: c.id })}
            data-testid={`case-claim-${c.id}`}
          >
            {s('claim')}
          </button>
        </>
      ) : (
        <span
          data-testid={`case-assignee-${c.id}`}
          className={c.assigneeId === myId ? 'held-me' : 'held-other'}
        >
          {c.assigneeId === myId ? s('heldByMe') : (c.assigneeName ?? `#${c.assigneeId}`)}
        </span>
      )}
      {viewers.length > 0 && (
        <span className="viewers" data-testid={`case-viewers-${c.id}`}>
          {' · '}
          {s('viewing', { names: viewers.map((v) => v.nickname).join('、') })}
        </span>
      )}
      {rowErrors[c.id] && (
        <span className="problem small" role="alert">
          {' '}
          {rowErrors[c.id]}
        </span>
      )}
    </span>
  );
}

/** The queue's columns; cells read their context from the table's meta. */
export function queueColumns(): ColumnDef<typeof queueFeatures, CaseSummary>[] {
  const cell =
    (draw: (p: Ctx) => React.ReactNode) =>
    (info: { row: { original: CaseSummary }; table: { options: { meta?: unknown } } }) =>
      draw({ c: info.row.original, ctx: info.table.options.meta as QueueCellContext });
  return [
    { id: 'id', accessorFn: (c) => c.id, cell: cell(({ c }) => `#${c.id}`), enableSorting: false },
    {
      id: 'kind',
      accessorFn: (c) => c.kind,
      cell: cell(({ c, ctx }) => ctx.t.pick(CASE_KIND_LABELS[c.kind])),
      enableSorting: false,
    },
    {
      id: 'status',
      accessorFn: (c) => c.status,
      cell: cell(({ c, ctx }) => ctx.t.pick(CASE_STATUS_LABELS[c.status])),
      enableSorting: false,
    },
    {
      id: 'title',
      accessorFn: (c) => c.title,
      cell: cell(({ c }) => <span className="title-text">{c.title}</span>),
      enableSorting: false,
    },
    {
      id: 'priority',
      accessorFn: (c) => c.priority,
      cell: cell(({ c, ctx }) => (
        <span className={`priority priority-${c.priority}`}>
          {ctx.t.pick(CASE_PRIORITY_LABELS[c.priority] ?? CASE_PRIORITY_LABELS[0])}
        </span>
      )),
    },
    { id: 'assignee', accessorFn: (c) => c.assigneeName, cell: cell(ClaimCell), enableSorting: false },
    {
      id: 'amount',
      accessorFn: (c) => c.amountFen,
      cell: cell(({ c }) => (c.amountFen === null ? '—' : formatFen(c.amountFen))),
    },
    {
      id: 'sla',
      accessorFn: (c) => c.slaDueAt,
      cell: cell(({ c, ctx }) =>
        c.status === 'resolved' ? (
          '—'
        ) : (
          <SlaCountdown dueAt={c.slaDueAt} breached={c.slaBreached} now={ctx.now} locale={ctx.locale} />
        ),
      ),
    },
    {
      id: 'created',
      accessorFn: (c) => c.createdAt,
      cell: cell(({ c, ctx }) => formatDateTime(c.createdAt, ctx.locale)),
    },
    {
      id: 'flags',
      accessorFn: (c) => c.flags.join(','),
      cell: cell(({ c, ctx }) =>
        c.flags
          .filter((f) => f !== 'sla_breached')
          .map((f) => (
            <Tag key={f} className={`flag flag-${f}`}>
              {ctx.t.pick(CASE_FLAG_LABELS[f])}
            </Tag>
          )),
      ),
      enableSorting: false,
    },
  ];
}
