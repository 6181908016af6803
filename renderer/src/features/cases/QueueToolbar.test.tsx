import { type QueueFilters, queueKinds, queueViewStateSchema } from '@jiangxin/shared/console/views';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import { fireEvent, screen, within } from '@testing-library/react';
import { useRef, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole } from '../../test/render';
import { DEFAULT_COLUMNS } from './columns';
import { QueueToolbar } from './QueueToolbar';

const MODERATION: readonly CaseKind[] = ['listing_review', 'report'];

/** The toolbar as a queue holds it: the filters in state, every change recorded. */
function Harness({
  kinds,
  initial = {},
  changes,
}: {
  kinds: readonly CaseKind[];
  initial?: QueueFilters;
  changes: QueueFilters[];
}) {
  const [filters, setFilters] = useState<QueueFilters>(initial);
  const searchRef = useRef<HTMLInputElement | null>(null);
  return (
    <QueueToolbar
      titleId="t"
      title="审核"
      kinds={kinds}
      searchRef={searchRef}
      search=""
      onSearch={() => {}}
      filters={filters}
      onFilters={(f) => {
        changes.push(f);
        setFilters(f);
      }}
      columns={DEFAULT_COLUMNS}
      onColumns={() => {}}
      views={[]}
      activeView={null}
      onPickView={() => {}}
      onSaveView={() => {}}
      onDeleteView={() => {}}
      total={12}
      exporting={null}
      onExport={() => {}}
    />
  );
}

/** The count on the Filters button's badge. */
const filterBadge = () =>
  screen
    .getByTestId('queue-filters')
    .closest('.ant-badge')!
    .querySelector('.ant-scroll-number')!
    .getAttribute('title');

const kindBox = (name: string) =>
  within(screen.getByRole('group', { name: '工单类型' })).getByRole('checkbox', { name }) as HTMLInputElement;

describe('the queue toolbar’s kind filter', () => {
  it('narrows a queue covering several kinds by unticking; all ticked is no filter, and one always stays', () => {
    const changes: QueueFilters[] = [];
    renderWithConsole(<Harness kinds={MODERATION} initial={{ statuses: ['open'] }} changes={changes} />);
    expect(kindBox('服务审核').checked).toBe(true);
    expect(kindBox('举报').checked).toBe(true);

    fireEvent.click(kindBox('服务审核'));
    expect(changes.at(-1)).toEqual({ statuses: ['open'], kinds: ['report'] });
    expect(kindBox('服务审核').checked).toBe(false);
    // What the queue then asks the cache for, and what a saved view keeps.
    expect(queueKinds(MODERATION, changes.at(-1)!.kinds)).toEqual(['report']);
    expect(
      queueViewStateSchema.parse({ filters: changes.at(-1), sort: 'sla', columns: ['id'] }).filters.kinds,
    ).toEqual(['report']);
    // Counted on the Filters button's badge with the status filter.
    expect(filterBadge()).toBe('2');

    // The last kind cannot be unticked.
    fireEvent.click(kindBox('举报'));
    expect(changes).toHaveLength(1);
    expect(kindBox('举报').checked).toBe(true);

    fireEvent.click(kindBox('服务审核'));
    expect(changes.at(-1)).toEqual({ statuses: ['open'] });
    expect(queueKinds(MODERATION, changes.at(-1)!.kinds)).toEqual(['listing_review', 'report']);
    expect(filterBadge()).toBe('1');
  });

  it('shows a saved view’s kinds as ticked', () => {
    renderWithConsole(<Harness kinds={MODERATION} initial={{ kinds: ['listing_review'] }} changes={[]} />);
    expect(kindBox('服务审核').checked).toBe(true);
    expect(kindBox('举报').checked).toBe(false);
  });

  it('is absent from a queue of one kind', () => {
    renderWithConsole(<Harness kinds={['dispute']} changes={[]} />);
    expect(screen.queryByTestId('queue-kinds')).toBeNull();
    expect(screen.getByTestId('queue-filters')).toBeTruthy();
  });
});
