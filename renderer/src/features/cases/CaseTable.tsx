import type { QueueColumn } from '@jiangxin/shared/console/views';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { FlexRender, useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { COLUMN_LABELS, type QueueCellContext, queueColumns, queueFeatures, SORTABLE } from './columns';
import type { useCaseStrings } from './strings';
import type { CaseWindow } from './useCaseWindow';

export const ROW_HEIGHT = 40;

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
 * window show as placeholders until `window.ensure` brings them. Columns, cells and header sorting come
 * from TanStack Table; sorting is the cache's (`manualSorting`), never done on the loaded rows.
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
  const table = useTable({
    features: queueFeatures,
    columns: allColumns,
    data: win.rows,
    manualSorting: true,
    state: {
      columnVisibility: visibility,
      sorting: Object.entries(SORTABLE)
        .filter(([, key]) => key === sortKey)
        .map(([id]) => ({ id, desc: sort.startsWith('-') })),
    },
    meta: ctx,
    getRowId: (c) => String(c.id),
  });

  const total = win.total ?? 0;
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
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

  const rows = table.getRowModel().rows;
  const leafColumns = table.getVisibleLeafColumns();
  const span = leafColumns.length + (selection ? 1 : 0);
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  const toggleSort = (id: QueueColumn) => {
    const key = SORTABLE[id];
    if (!key) return;
    onSort(sortKey === key && !sort.startsWith('-') ? (`-${key}` as Sort) : key);
  };

  return (
    <div className="queue-scroll" ref={scrollRef} data-testid="case-scroll">
      <table
        className="case-table"
        data-testid="case-table"
        aria-labelledby={props.labelId}
        aria-rowcount={total + 1}
      >
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {selection && (
                <th scope="col" className="select-col">
                  <span className="sr-only">{s('selectAll')}</span>
                </th>
              )}
              {group.headers.map((header) => {
                const id = header.column.id as QueueColumn;
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
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
                        <span aria-hidden="true">
                          {sorted === 'asc' ? ' ↑' : sorted === 'desc' ? ' ↓' : ''}
                        </span>
                      </button>
                    ) : (
                      s(COLUMN_LABELS[id])
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr className="spacer">
              <td colSpan={span} style={{ height: padTop }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index - win.offset];
            if (!row)
              return (
                <tr key={`p${item.index}`} className="placeholder" style={{ height: ROW_HEIGHT }}>
                  <td colSpan={span} />
                </tr>
              );
            const c = row.original;
            const classes = [
              'case-row',
              `priority-${c.priority}`,
              item.index === activeIndex ? 'active' : '',
              c.id === openId ? 'open' : '',
              selection?.has(c.id) ? 'selected' : '',
            ];
            return (
              <tr
                key={c.id}
                data-testid={`case-row-${c.id}`}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                aria-selected={c.id === openId}
                className={classes.join(' ')}
                style={{ height: ROW_HEIGHT }}
                onClick={() => props.onRowClick(item.index, c)}
              >
                {selection && (
                  <td className="select-col">
                    <input
                      type="checkbox"
                      checked={selection.has(c.id)}
                      onChange={() => props.onToggleSelect(c)}
                      onClick={(e) => e.stopPropagation()}
                      aria-label={s('selectRow', { id: c.id })}
                      data-testid={`case-select-${c.id}`}
                    />
                  </td>
                )}
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`col-${cell.column.id}`}>
                    <FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
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
