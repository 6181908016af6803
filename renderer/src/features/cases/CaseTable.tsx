import type { OutboxItem } from '@jiangxin/shared/bridge';
import type { QueueColumn } from '@jiangxin/shared/console/views';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { Presence } from '@jiangxin/shared/ops/stream';
import { useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef } from 'react';
import {
  COLUMN_LABELS,
  QUEUE_CELLS,
  type QueueCellContext,
  type QueueRowShared,
  queueColumns,
  queueFeatures,
  queueRowWords,
  SORTABLE,
} from './columns';
import { useStableCallback } from './stable';
import type { useCaseStrings } from './strings';
import type { CaseWindow } from './useCaseWindow';

export const ROW_HEIGHT = 40;
/** Rows drawn beyond each edge of the viewport, so a wheel step never shows an empty band. */
const OVERSCAN = 3;

type Sort = 'sla' | '-sla' | 'priority' | '-priority' | 'created' | '-created' | 'amount' | '-amount';

interface CaseTableProps {
  labelId: string;
  window: CaseWindow;
  columns: readonly QueueColumn[];
  sort: Sort;
  onSort: (sort: Sort) => void;
  /** The keyboard cursor (j/k) and the open case. */
  activeIndex: number;
  openId: number | null;
  onRowClick: (index: number, c: CaseSummary) => void;
  /** Row checkboxes, where the workspace has bulk actions. */
  selection: ReadonlySet<number> | null;
  onToggleSelect: (c: CaseSummary) => void;
  ctx: QueueCellContext;
  s: ReturnType<typeof useCaseStrings>;
}

/**
 * The queue as a virtualized table: only the rows on screen (and a few around them) are in the DOM, so
 * 100,000 cases scroll like 100. The scroll height is the whole queue's; rows outside the loaded
 * window show as placeholders until `window.ensure` brings them. Columns, their visibility and header
 * sorting come from TanStack Table; sorting is the cache's (`manualSorting`), never done on the loaded
 * rows. Each row is a memoized `CaseRow` drawing its cells with plain functions (`QUEUE_CELLS`), so a
 * scroll re-renders only the rows that came into view, and a row costs a fraction of a millisecond.
 */
export function CaseTable(props: CaseTableProps) {
  const { window: win, columns, sort, onSort, activeIndex, openId, selection, ctx, s } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const allColumns = useMemo(() => queueColumns(), []);
  const visibility = useMemo(
    () => Object.fromEntries(allColumns.map((c) => [c.id, columns.includes(c.id as QueueColumn)])),
    [allColumns, columns],
  );
  const sortKey = sort.replace('-', '');
  const sorting = useMemo(
    () =>
      Object.entries(SORTABLE)
        .filter(([, key]) => key === sortKey)
        .map(([id]) => ({ id, desc: sort.startsWith('-') })),
    [sort, sortKey],
  );
  const table = useTable({
    features: queueFeatures,
    columns: allColumns,
    data: win.rows,
    manualSorting: true,
    state: { columnVisibility: visibility, sorting },
    getRowId: (c) => String(c.id),
  });

  const total = win.total ?? 0;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  const { ensure } = win;
  useEffect(() => {
    if (total > 0) ensure(first, last + 1);
  }, [ensure, first, last, total]);

  // Keep the keyboard cursor on screen.
  useEffect(() => {
    if (activeIndex >= 0 && activeIndex < total) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
  }, [activeIndex, total, virtualizer]);

  const leafIds = table
    .getVisibleLeafColumns()
    .map((c) => c.id)
    .join(',');
  const visible = useMemo(() => leafIds.split(',') as QueueColumn[], [leafIds]);
  const span = visible.length + (selection ? 1 : 0);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  // The row callbacks stay the same function across renders (memoized rows), calling the latest props.
  const onRowClick = useStableCallback(props.onRowClick);
  const onToggleSelect = useStableCallback(props.onToggleSelect);
  const { locale, t, now, myId, claim, queued, presence, claiming, rowErrors } = ctx;

  // Which DOM row each case on screen is drawn in (see `assignSlots`).
  const slotState = useRef<RowSlots>({ byId: new Map(), fresh: 0 });
  const shown: number[] = [];
  for (const item of items) {
    const c = win.rowAt(item.index);
    if (c) shown.push(c.id);
  }
  const slots = assignSlots(slotState.current, shown, focusedCase(scrollRef.current));
  const shared: QueueRowShared = useMemo(
    () => ({ locale, t, words: queueRowWords(s), now, myId, claim }),
    [locale, t, s, now, myId, claim],
  );

  return (
    <div className="queue-scroll" ref={scrollRef} data-testid="case-scroll">
      <table
        className="case-table"
        data-testid="case-table"
        aria-labelledby={props.labelId}
        aria-rowcount={total + 1}
      >
        <QueueHead
          columns={visible}
          sorting={sorting}
          onSort={onSort}
          selectable={selection !== null}
          s={s}
        />
        <tbody>
          {padTop > 0 && (
            <tr className="spacer">
              <td colSpan={span} style={{ height: padTop }} />
            </tr>
          )}
          {items.map((item) => {
            const c = win.rowAt(item.index);
            if (!c)
              return (
                <tr key={`p${item.index}`} className="placeholder">
                  <td colSpan={span} />
                </tr>
              );
            return (
              <CaseRow
                key={slots.get(c.id)}
                c={c}
                index={item.index}
                columns={visible}
                active={item.index === activeIndex}
                open={c.id === openId}
                selected={selection ? selection.has(c.id) : null}
                pending={queued.get(c.id)}
                viewers={presence.get(c.id)}
                claiming={claiming.has(c.id)}
                error={rowErrors[c.id]}
                shared={shared}
                onRowClick={onRowClick}
                onToggleSelect={onToggleSelect}
              />
            );
          })}
          {padBottom > 0 && (
            <tr className="spacer">
              <td colSpan={span} style={{ height: padBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Case id → the row slot drawing it; `fresh` is the next slot never used. */
export interface RowSlots {
  byId: Map<number, number>;
  fresh: number;
}

/**
 * Row slots (the rows' React keys): a case keeps its slot while it stays on screen, and a case coming into
 * view takes a slot freed by one that left, so React updates that row's cells in place instead of
 * removing one row and building another — a fast scroll replaces every row each frame, and reusing the
 * elements skips creating them, their styles and their layout objects. Freed slots are reused in
 * ascending order, so a jump keeps the rows' order (no moves). The slot of the row holding the keyboard
 * focus (`keep`, a case id) is never handed to another case: that row is removed when it leaves, as
 * before, rather than the focused button coming to stand for another case.
 */
export function assignSlots(
  state: RowSlots,
  ids: readonly number[],
  keep: number | null,
): Map<number, number> {
  const next = new Map<number, number>();
  for (const id of ids) {
    const slot = state.byId.get(id);
    if (slot !== undefined) next.set(id, slot);
  }
  const taken = new Set(next.values());
  const kept = keep === null ? undefined : state.byId.get(keep);
  const free = [...state.byId.values()]
    .filter((slot) => !taken.has(slot) && slot !== kept)
    .sort((a, b) => a - b);
  let f = 0;
  for (const id of ids) {
    if (next.has(id)) continue;
    next.set(id, f < free.length ? free[f++]! : state.fresh++);
  }
  state.byId = next;
  return next;
}

/** The case whose row holds the keyboard focus (its claim button or checkbox), if any. */
function focusedCase(scroll: HTMLElement | null): number | null {
  const active = scroll?.ownerDocument.activeElement;
  if (!active || !scroll?.contains(active)) return null;
  const id = active.closest('tr')?.getAttribute('data-testid')?.replace('case-row-', '');
  return id ? Number(id) : null;
}

/** The header: column names, and sort buttons on the columns the cache sorts by (`sorting`: the table's state). */
const QueueHead = memo(function QueueHead({
  columns,
  sorting,
  onSort,
  selectable,
  s,
}: {
  columns: readonly QueueColumn[];
  sorting: readonly { id: string; desc: boolean }[];
  onSort: (sort: Sort) => void;
  selectable: boolean;
  s: ReturnType<typeof useCaseStrings>;
}) {
  const toggleSort = (id: QueueColumn) => {
    const key = SORTABLE[id];
    if (!key) return;
    const ascending = sorting.some((by) => by.id === id && !by.desc);
    onSort(ascending ? (`-${key}` as Sort) : key);
  };
  return (
    <thead>
      <tr aria-rowindex={1}>
        {selectable && (
          <th scope="col" className="select-col">
            <span className="sr-only">{s('selectAll')}</span>
          </th>
        )}
        {columns.map((id) => {
          const by = sorting.find((x) => x.id === id);
          const sorted = by ? (by.desc ? 'desc' : 'asc') : false;
          return (
            <th
              key={id}
              scope="col"
              className={`col-${id}`}
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
            >
              {SORTABLE[id] ? (
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => toggleSort(id)}
                  data-testid={`sort-${id}`}
                >
                  {s(COLUMN_LABELS[id])}
                  <span aria-hidden="true">{sorted === 'asc' ? ' ↑' : sorted === 'desc' ? ' ↓' : ''}</span>
                </button>
              ) : (
                s(COLUMN_LABELS[id])
              )}
            </th>
          );
        })}
      </tr>
    </thead>
  );
});

interface CaseRowProps {
  c: CaseSummary;
  index: number;
  columns: readonly QueueColumn[];
  active: boolean;
  open: boolean;
  /** null: the queue has no row checkboxes. */
  selected: boolean | null;
  pending: OutboxItem | undefined;
  viewers: Presence['viewers'] | undefined;
  claiming: boolean;
  error: string | undefined;
  shared: QueueRowShared;
  onRowClick: (index: number, c: CaseSummary) => void;
  onToggleSelect: (c: CaseSummary) => void;
}

/**
 * A re-read window brings new objects for the cases already on screen; a case the core has not changed
 * (same id, version and update time) draws the same row, so those rows are not drawn again.
 */
function sameRow(a: CaseRowProps, b: CaseRowProps): boolean {
  for (const key of Object.keys(a) as (keyof CaseRowProps)[]) {
    if (key === 'c') continue;
    if (a[key] !== b[key]) return false;
  }
  return a.c === b.c || (a.c.id === b.c.id && a.c.version === b.c.version && a.c.updatedAt === b.c.updatedAt);
}

const CaseRow = memo(function CaseRow(props: CaseRowProps) {
  const { c, index, columns, active, open, selected, shared } = props;
  const row = {
    pending: props.pending,
    viewers: props.viewers,
    claiming: props.claiming,
    error: props.error,
  };
  let className = `case-row priority-${c.priority}`;
  if (active) className += ' active';
  if (open) className += ' open';
  if (selected) className += ' selected';
  return (
    <tr
      data-testid={`case-row-${c.id}`}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={open}
      className={className}
      onClick={() => props.onRowClick(index, c)}
    >
      {selected !== null && (
        <td className="select-col">
          <input
            type="checkbox"
            checked={selected}
            onChange={() => props.onToggleSelect(c)}
            onClick={(e) => e.stopPropagation()}
            aria-label={shared.words.selectRow(c.id)}
            data-testid={`case-select-${c.id}`}
          />
        </td>
      )}
      {columns.map((id) => (
        <td key={id} className={`col-${id}`}>
          {QUEUE_CELLS[id](c, row, shared)}
        </td>
      ))}
    </tr>
  );
}, sameRow);
