import type { BridgeProblem } from '@jiangxin/shared/bridge';
import { CASE_STATUS_LABELS } from '@jiangxin/shared/ops/cases';
import type { DrilldownCaseRef } from '@jiangxin/shared/ops/drilldown';
import type { Permission } from '@jiangxin/shared/permissions';
import { Alert, Button, Spin, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useT } from '../../i18n';
import { casePath } from '../../kit/links';
import type { DrillStrings } from './strings';

/** Problems that mean "the core cannot be reached now" (the pages have no offline copy). */
const OFFLINE_CODES = new Set(['offline', 'not_signed_in', 'core_unavailable', 'unavailable']);

/** What a drill-down page shows before it has its answer: loading, offline, or the problem in words. */
export function PageState({
  s,
  loading,
  problem,
  error,
  onRetry,
}: {
  s: DrillStrings;
  loading: boolean;
  problem: BridgeProblem | null;
  error: string | null;
  onRetry: () => void;
}) {
  if (loading)
    return (
      <div className="drill-loading" data-testid="drill-loading">
        <Spin />
        <span>{s('loading')}</span>
      </div>
    );
  if (!problem) return null;
  const offline = OFFLINE_CODES.has(problem.code);
  const message = offline ? s('offline') : problem.status === 404 ? s('notFound') : (error ?? '');
  return (
    <Alert
      type={offline ? 'warning' : 'error'}
      showIcon
      role="alert"
      data-testid={offline ? 'drill-offline' : 'drill-problem'}
      title={message}
      action={
        <Button size="small" onClick={onRetry}>
          {s('retry')}
        </Button>
      }
    />
  );
}

/** One list of a page: its title with the count, the newest rows, and a word when there are none. */
export function Section<T extends { id: number }>({
  s,
  id,
  title,
  total,
  rows,
  columns,
}: {
  s: DrillStrings;
  id: string;
  title: string;
  total: number;
  rows: T[];
  columns: ColumnsType<T>;
}) {
  const headingId = `drill-${id}-title`;
  return (
    <section className="drill-section" aria-labelledby={headingId} data-testid={`drill-${id}`}>
      <h2 id={headingId}>
        {s('sectionCount', { title, n: total })}
        {total > rows.length && <span className="muted">{s('sectionNewest', { shown: rows.length })}</span>}
      </h2>
      <Table<T>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: s('empty') }}
        onRow={(row) => ({ 'data-testid': `drill-${id}-row-${row.id}` }) as never}
      />
    </section>
  );
}

/** A case behind a row: a link into its queue for those who may open it, else its number alone. */
export function CaseCell({
  s,
  c,
  permissions,
}: {
  s: DrillStrings;
  c: Pick<DrilldownCaseRef, 'id' | 'kind' | 'status'> | null;
  permissions: readonly Permission[];
}): ReactNode {
  const { pick } = useT();
  if (!c) return s('none');
  const to = casePath(c.kind, c.id, permissions);
  const label = s('caseLink', { id: c.id, status: pick(CASE_STATUS_LABELS[c.status]) });
  if (!to) return <span className="muted">{s('caseHidden', { id: c.id })}</span>;
  return (
    <Link to={to} data-testid={`drill-case-${c.id}`}>
      {label}
    </Link>
  );
}
