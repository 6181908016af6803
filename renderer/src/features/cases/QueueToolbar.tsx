import { BRIDGE_METHODS, localCaseQuerySchema, type TeamViewsResult } from '@jiangxin/shared/bridge';
import {
  QUEUE_COLUMNS,
  type QueueColumn,
  type QueueFilters,
  queueKinds,
  type SavedView,
} from '@jiangxin/shared/console/views';
import type { Workspace } from '@jiangxin/shared/console/workspaces';
import { fieldLimits } from '@jiangxin/shared/forms';
import { fenToYuan, yuanToFen } from '@jiangxin/shared/money';
import {
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  CASE_STATUSES,
  type CaseKind,
  type CaseStatus,
} from '@jiangxin/shared/ops/cases';
import { Badge, Button, Checkbox, DatePicker, Input, Popover, Select, Space, Switch } from 'antd';
import dayjs from 'dayjs';
import { type RefObject, useState } from 'react';
import { useT } from '../../i18n';
import { COLUMN_LABELS } from './columns';
import { useCaseStrings } from './strings';

interface QueueToolbarProps {
  titleId: string;
  title: string;
  /** The workspace's case kinds; with more than one, the toolbar offers to narrow the queue to some. */
  kinds?: readonly CaseKind[] | undefined;
  searchRef: RefObject<HTMLInputElement | null>;
  search: string;
  onSearch: (q: string) => void;
  filters: QueueFilters;
  /** Filters the workspace sets for good (My work: assignee = me): shown, not changeable, not counted. */
  fixed?: Workspace['fixedFilters'] | undefined;
  onFilters: (f: QueueFilters) => void;
  columns: readonly QueueColumn[];
  onColumns: (c: QueueColumn[]) => void;
  views: readonly SavedView[];
  activeView: string | null;
  onPickView: (name: string | null) => void;
  onSaveView: (name: string) => void;
  onDeleteView: (name: string) => void;
  /** The views my teams share for this queue (absent: none offered). */
  teamViews?: TeamViewsResult | null | undefined;
  activeTeamView?: number | null | undefined;
  onPickTeamView?: ((id: number) => void) | undefined;
  onShareView?: ((teamId: number, name: string) => void) | undefined;
  onDeleteTeamView?: ((id: number) => void) | undefined;
  total: number | null;
  exporting: string | null;
  onExport: () => void;
}

/** The cache's search and a saved view's name, as long as the bridge takes them. */
const SEARCH_MAX = fieldLimits(localCaseQuerySchema, 'q').maxLength;
const VIEW_NAME_MAX = fieldLimits(BRIDGE_METHODS['views.save'].args, 'name').maxLength;
const TEAM_VIEW_NAME_MAX = fieldLimits(BRIDGE_METHODS['teamViews.share'].args, 'name').maxLength;
/** How many filters are set (the badge on the Filters button). */
export function filterCount(f: QueueFilters, fixed: Partial<QueueFilters> = {}): number {
  return Object.entries(f).filter(([k, v]) => k !== 'q' && !(k in fixed) && v !== undefined).length;
}

/** The queue's heading row: search, filters, columns, saved views, CSV export and the count. */
export function QueueToolbar(props: QueueToolbarProps) {
  const s = useCaseStrings();
  const [viewName, setViewName] = useState('');
  const count = filterCount(props.filters, props.fixed);
  const myTeams = props.teamViews?.teams ?? [];
  const teamItems = props.teamViews?.items ?? [];
  // One group per team that shares views here, named after the team.
  const teamGroups = myTeams
    .map((t) => ({ ...t, views: teamItems.filter((v) => v.teamId === t.id) }))
    .filter((g) => g.views.length > 0);
  const activeTeam = teamItems.find((v) => v.id === props.activeTeamView) ?? null;
  const viewValue = activeTeam ? `team:${activeTeam.id}` : props.activeView ? `my:${props.activeView}` : '';
  return (
    <div className="panel-head queue-toolbar">
      <h2 id={props.titleId}>{props.title}</h2>
      <Input
        ref={(el) => {
          props.searchRef.current = el?.input ?? null;
        }}
        type="search"
        allowClear
        className="search"
        value={props.search}
        onChange={(e) => props.onSearch(e.target.value)}
        placeholder={s('searchPlaceholder')}
        aria-label={s('searchPlaceholder')}
        data-testid="case-search"
        maxLength={SEARCH_MAX}
      />
      {props.kinds && props.kinds.length > 1 && (
        <KindFilter kinds={props.kinds} filters={props.filters} onFilters={props.onFilters} />
      )}
      <Popover
        trigger="click"
        placement="bottomLeft"
        content={<FilterForm filters={props.filters} fixed={props.fixed} onFilters={props.onFilters} />}
      >
        <Badge count={count} size="small">
          <Button data-testid="queue-filters">{s('filters')}</Button>
        </Badge>
      </Popover>
      <Popover
        trigger="click"
        placement="bottomLeft"
        content={
          <Checkbox.Group
            className="column-choice"
            value={[...props.columns]}
            onChange={(v) => v.length > 0 && props.onColumns(QUEUE_COLUMNS.filter((c) => v.includes(c)))}
            options={QUEUE_COLUMNS.map((c) => ({ value: c, label: s(COLUMN_LABELS[c]) }))}
          />
        }
      >
        <Button data-testid="queue-columns">{s('columns')}</Button>
      </Popover>
      <Select
        className="view-select"
        aria-label={s('views')}
        data-testid="queue-views"
        value={viewValue}
        onChange={(v: string) => {
          if (v.startsWith('team:')) props.onPickTeamView?.(Number(v.slice(5)));
          else props.onPickView(v === '' ? null : v.slice(3));
        }}
        options={[
          { value: '', label: s('viewDefault') },
          ...(props.views.length > 0
            ? [
                {
                  label: s('myViews'),
                  title: s('myViews'),
                  options: props.views.map((v) => ({ value: `my:${v.name}`, label: v.name })),
                },
              ]
            : []),
          ...teamGroups.map((g) => ({
            label: (
              <span data-testid={`team-views-${g.id}`}>
                {s('teamViewsGroup', { team: g.name })}
                {props.teamViews?.offline ? s('teamViewsOffline') : ''}
              </span>
            ),
            title: s('teamViewsGroup', { team: g.name }),
            options: g.views.map((v) => ({ value: `team:${v.id}`, label: v.name })),
          })),
        ]}
        popupMatchSelectWidth={false}
      />
      <Popover
        trigger="click"
        placement="bottomLeft"
        content={
          <Space direction="vertical">
            <Space.Compact>
              <Input
                value={viewName}
                onChange={(e) => setViewName(e.target.value)}
                placeholder={s('viewName')}
                aria-label={s('viewName')}
                maxLength={VIEW_NAME_MAX}
                data-testid="view-name"
              />
              <Button
                type="primary"
                disabled={viewName.trim() === ''}
                onClick={() => {
                  props.onSaveView(viewName.trim());
                  setViewName('');
                }}
                data-testid="view-save"
              >
                {s('viewSave').replace('…', '')}
              </Button>
            </Space.Compact>
            {props.activeView && activeTeam === null && (
              <Button danger onClick={() => props.onDeleteView(props.activeView!)} data-testid="view-delete">
                {s('viewDelete', { name: props.activeView })}
              </Button>
            )}
            {activeTeam?.mayDelete && (
              <Button
                danger
                onClick={() => props.onDeleteTeamView?.(activeTeam.id)}
                data-testid="team-view-delete"
              >
                {s('teamViewDelete', { name: activeTeam.name })}
              </Button>
            )}
            {props.onShareView && myTeams.length > 0 && (
              <ShareForm
                key={props.activeView ?? activeTeam?.name ?? ''}
                teams={myTeams}
                initialName={props.activeView ?? activeTeam?.name ?? ''}
                onShare={props.onShareView}
              />
            )}
          </Space>
        }
      >
        <Button data-testid="queue-view-menu">{s('viewSave')}</Button>
      </Popover>
      <Button
        onClick={props.onExport}
        disabled={props.exporting !== null || !props.total}
        data-testid="queue-export"
      >
        {props.exporting ?? s('exportCsv')}
      </Button>
      {props.total !== null && (
        <span className="muted" data-testid="case-total" aria-live="polite">
          {s('total', { n: props.total.toLocaleString() })}
        </span>
      )}
    </div>
  );
}

/**
 * 共享给团队…: the current view (a saved one's name filled in) shared under a name with one of my teams —
 * the team picked when I am in several.
 */
function ShareForm({
  teams,
  initialName,
  onShare,
}: {
  teams: readonly { id: number; name: string }[];
  initialName: string;
  onShare: (teamId: number, name: string) => void;
}) {
  const s = useCaseStrings();
  const [name, setName] = useState(initialName);
  const [teamId, setTeamId] = useState<number>(teams[0]!.id);
  return (
    <fieldset className="share-view" data-testid="share-view">
      <legend className="muted small">{s('shareToTeam')}</legend>
      <Space orientation="vertical">
        {teams.length > 1 && (
          <Select
            aria-label={s('shareTeam')}
            value={teamId}
            onChange={(v: number) => setTeamId(v)}
            options={teams.map((t) => ({ value: t.id, label: t.name }))}
            data-testid="share-team"
          />
        )}
        <Space.Compact>
          <Input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={s('shareName')}
            aria-label={s('shareName')}
            maxLength={TEAM_VIEW_NAME_MAX}
            data-testid="share-name"
          />
          <Button
            disabled={name.trim() === ''}
            onClick={() => onShare(teamId, name.trim())}
            data-testid="share-submit"
          >
            {teams.length > 1 ? s('shareSubmit') : `${s('shareSubmit')} · ${teams[0]!.name}`}
          </Button>
        </Space.Compact>
      </Space>
    </fieldset>
  );
}

/**
 * The filters with the kind filter set to `picked`: every kind of the workspace (or none) is no filter at
 * all (the key goes, so a saved view does not pin today's kinds); otherwise the kinds in the workspace's
 * order.
 */
export function withKinds(
  filters: QueueFilters,
  picked: readonly CaseKind[],
  workspaceKinds: readonly CaseKind[],
): QueueFilters {
  const { kinds: _previous, ...rest } = filters;
  const kinds = workspaceKinds.filter((k) => picked.includes(k));
  return kinds.length === 0 || kinds.length === workspaceKinds.length ? rest : { ...rest, kinds };
}

/**
 * The kinds a queue covering several shows (listing reviews and reports, say), all ticked until someone
 * unticks one; the last one cannot be unticked (an empty queue by choice helps nobody).
 */
function KindFilter({
  kinds,
  filters,
  onFilters,
}: {
  kinds: readonly CaseKind[];
  filters: QueueFilters;
  onFilters: (f: QueueFilters) => void;
}) {
  const s = useCaseStrings();
  const { pick } = useT();
  return (
    <fieldset className="kind-filter" data-testid="queue-kinds" title={s('kindsHint')}>
      <legend className="muted small">{s('kindsLegend')}</legend>
      <Checkbox.Group
        value={queueKinds(kinds, filters.kinds)}
        onChange={(v) => v.length > 0 && onFilters(withKinds(filters, v as CaseKind[], kinds))}
        options={kinds.map((kind) => ({ value: kind, label: pick(CASE_KIND_LABELS[kind]) }))}
      />
    </fieldset>
  );
}

/** The filter controls; amounts are typed in yuan and kept in fen, and a bad amount is named, not applied. */
export function FilterForm({
  filters,
  fixed,
  onFilters,
}: {
  filters: QueueFilters;
  fixed?: Workspace['fixedFilters'] | undefined;
  onFilters: (f: QueueFilters) => void;
}) {
  const s = useCaseStrings();
  const { pick } = useT();
  const [min, setMin] = useState(filters.minAmountFen === undefined ? '' : fenToYuan(filters.minAmountFen));
  const [max, setMax] = useState(filters.maxAmountFen === undefined ? '' : fenToYuan(filters.maxAmountFen));
  const [amountError, setAmountError] = useState<string | null>(null);
  const set = (patch: Partial<QueueFilters>) => {
    const next = { ...filters, ...patch };
    for (const k of Object.keys(next) as (keyof QueueFilters)[]) if (next[k] === undefined) delete next[k];
    onFilters(next);
  };
  const applyAmounts = (minText: string, maxText: string) => {
    const minFen = minText.trim() === '' ? undefined : yuanToFen(minText.trim());
    const maxFen = maxText.trim() === '' ? undefined : yuanToFen(maxText.trim());
    if (minFen === null || maxFen === null) return setAmountError(s('amountInvalid'));
    if (minFen !== undefined && maxFen !== undefined && minFen > maxFen)
      return setAmountError(s('amountRange'));
    setAmountError(null);
    set({ minAmountFen: minFen, maxAmountFen: maxFen });
  };
  return (
    <div className="filter-form" data-testid="filter-form">
      <fieldset>
        <legend>{s('filterStatus')}</legend>
        <Checkbox.Group
          value={filters.statuses ?? ['open', 'waiting']}
          onChange={(v) => set({ statuses: v.length ? (v as CaseStatus[]) : undefined })}
          options={CASE_STATUSES.map((st) => ({ value: st, label: pick(CASE_STATUS_LABELS[st]) }))}
        />
      </fieldset>
      <div className="field">
        {s('filterAssignee')}
        <Select
          aria-label={s('filterAssignee')}
          value={typeof filters.assignee === 'number' ? 'any' : (filters.assignee ?? 'any')}
          disabled={fixed?.assignee !== undefined}
          onChange={(v: string) => set({ assignee: v === 'any' ? undefined : (v as 'me' | 'none') })}
          options={[
            { value: 'any', label: s('assigneeAny') },
            { value: 'me', label: s('assigneeMe') },
            { value: 'none', label: s('assigneeNone') },
          ]}
          data-testid="filter-assignee"
        />
      </div>
      <div className="field">
        {s('filterPriority')}
        <Select
          aria-label={s('filterPriority')}
          value={filters.priorityAtLeast ?? -1}
          onChange={(v: number) => set({ priorityAtLeast: v < 0 ? undefined : v })}
          options={[
            { value: -1, label: s('priorityAny') },
            ...CASE_PRIORITY_LABELS.map((l, i) => ({ value: i, label: pick(l) })),
          ]}
        />
      </div>
      <div className="field inline">
        <Switch
          checked={filters.slaBreached === true}
          onChange={(on) => set({ slaBreached: on ? true : undefined })}
          aria-label={s('filterSla')}
          data-testid="filter-sla"
        />
        {s('filterSla')}
      </div>
      <div className="amounts">
        <div className="field">
          {s('filterAmountMin')}
          <Input
            value={min}
            onChange={(e) => setMin(e.target.value)}
            onBlur={() => applyAmounts(min, max)}
            onPressEnter={() => applyAmounts(min, max)}
            inputMode="decimal"
            aria-label={s('filterAmountMin')}
            data-testid="filter-amount-min"
          />
        </div>
        <div className="field">
          {s('filterAmountMax')}
          <Input
            value={max}
            onChange={(e) => setMax(e.target.value)}
            onBlur={() => applyAmounts(min, max)}
            onPressEnter={() => applyAmounts(min, max)}
            inputMode="decimal"
            aria-label={s('filterAmountMax')}
            data-testid="filter-amount-max"
          />
        </div>
      </div>
      {amountError && (
        <p className="problem small" role="alert" data-testid="filter-amount-error">
          {amountError}
        </p>
      )}
      <div className="field">
        {s('filterCreated')}
        <DatePicker.RangePicker
          aria-label={s('filterCreated')}
          value={[
            filters.createdFrom ? dayjs(filters.createdFrom) : null,
            filters.createdTo ? dayjs(filters.createdTo) : null,
          ]}
          onChange={(range) =>
            set({
              createdFrom: range?.[0]?.startOf('day').toISOString(),
              createdTo: range?.[1]?.endOf('day').toISOString(),
            })
          }
        />
      </div>
      <Button
        onClick={() => {
          setMin('');
          setMax('');
          setAmountError(null);
          onFilters(filters.q ? { q: filters.q } : {});
        }}
        data-testid="filter-clear"
      >
        {s('clearFilters')}
      </Button>
    </div>
  );
}
