import type { ConsoleSession, OutboxItem, TeamViewsResult } from '@jiangxin/shared/bridge';
import type { QueueColumn, QueueFilters, QueueViewState, SavedView } from '@jiangxin/shared/console/views';
import { queueKindsFor, type Workspace } from '@jiangxin/shared/console/workspaces';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { Alert, App as AntApp, Button, Empty, Spin } from 'antd';
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useBridge } from '../../bridge';
import { settle, useAction, useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import { OutboxPanel } from '../../outbox/OutboxPanel';
import type { Outbox } from '../../outbox/useOutbox';
import { useShortcut } from '../../shortcuts';
import { CaseDetailView } from './CaseDetailView';
import { CaseTable } from './CaseTable';
import { DEFAULT_COLUMNS, type QueueCellContext } from './columns';
import { downloadText } from './csv';
import { exportQueueCsv } from './export';
import { nextAfterDecision } from './movement';
import { QUEUE_BULK_ACTIONS } from './panes';
import { defaultViewQuery, queueQuery } from './prefetch';
import { usePresence } from './presence';
import { QueueToolbar } from './QueueToolbar';
import { useNow } from './sla';
import { useStableCallback } from './stable';
import { useCaseStrings } from './strings';
import { type CaseQuery, useCaseWindow } from './useCaseWindow';

// The parts around the table draw again only when their own props change, not on every window read.
const Toolbar = memo(QueueToolbar);
const OutboxList = memo(OutboxPanel);
const Detail = memo(CaseDetailView);

const SEARCH_DEBOUNCE_MS = 250;
/** A queue's view before a saved one is picked; a queue over several kinds shows the kind column too. */
const defaultView = (workspace: Workspace): QueueViewState => ({
  ...defaultViewQuery(workspace),
  columns:
    (workspace.caseKinds?.length ?? 0) > 1
      ? [...DEFAULT_COLUMNS.slice(0, 1), 'kind', ...DEFAULT_COLUMNS.slice(1)]
      : [...DEFAULT_COLUMNS],
});

/**
 * A queue workspace as a split view, like a mail client: the queue on the left (virtualized, filtered,
 * sorted, with saved views and CSV export), the open case on the right. The route carries the open case
 * (`/moderation/listings/123`), so it can be linked and is restored after a restart. j/k move, Enter
 * opens, Esc closes, / searches, x selects (where bulk actions exist); the open case's pane adds its
 * own keys (a/r/c).
 */
export function CaseQueue(props: { workspace: Workspace; session: ConsoleSession; outbox: Outbox }) {
  // A queue's view, saved views, search and cursor belong to its workspace: another workspace is another
  // queue, drawn fresh on its own default view — never the previous queue's state under a new title.
  return <QueueView key={props.workspace.id} {...props} />;
}

function QueueView({
  workspace,
  session,
  outbox,
}: {
  workspace: Workspace;
  session: ConsoleSession;
  outbox: Outbox;
}) {
  const bridge = useBridge();
  const translator = useT();
  const { pick, locale } = translator;
  const s = useCaseStrings();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const params = useParams();
  const openId = /^[1-9]\d{0,15}$/.test(params['*'] ?? '') ? Number(params['*']) : null;
  const titleId = useId();
  const searchRef = useRef<HTMLInputElement | null>(null);
  const now = useNow(30_000);
  const presence = usePresence();
  const Bulk = QUEUE_BULK_ACTIONS[workspace.id];

  const initial = useMemo(() => defaultView(workspace), [workspace]);
  const [view, setView] = useState<QueueViewState>(initial);
  const [activeView, setActiveView] = useState<string | null>(null);
  const [views, setViews] = useState<SavedView[]>([]);
  const [teamViews, setTeamViews] = useState<TeamViewsResult | null>(null);
  const [activeTeamView, setActiveTeamView] = useState<number | null>(null);
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [activeIndex, setActiveIndex] = useState(-1);
  const [selected, setSelected] = useState<ReadonlyMap<number, CaseSummary>>(new Map());
  const [claiming, setClaiming] = useState<ReadonlySet<number>>(new Set());
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [exportProgress, setExportProgress] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // The saved views: read with the queue, then as each save or delete answers.
  useBridgeQuery('views.list', { workspace: workspace.id }, { onData: (r) => setViews(r.items) });
  // The views my teams share here (the engine's last copy when offline).
  useBridgeQuery('teamViews.list', { workspace: workspace.id }, { onData: setTeamViews });

  const query: CaseQuery = useMemo(
    () => queueQuery(workspace, { filters: view.filters, sort: view.sort }, q),
    [view.filters, view.sort, workspace, q],
  );
  const win = useCaseWindow(query);
  const total = win.total;

  // Keep the cursor on the open case when the queue re-reads (a resolved case leaves it).
  useEffect(() => {
    if (openId === null) return;
    const at = win.rows.findIndex((c) => c.id === openId);
    if (at >= 0) setActiveIndex(win.offset + at);
  }, [openId, win.rows, win.offset]);

  const open = useCallback(
    (id: number | null) => navigate(id === null ? workspace.path : `${workspace.path}/${id}`),
    [navigate, workspace.path],
  );

  const move = (delta: number) => {
    if (!total) return;
    setActiveIndex((i) => Math.min(total - 1, Math.max(0, (i < 0 ? -1 : i) + delta)));
  };
  const openActive = () => {
    const c = win.rowAt(activeIndex);
    if (c) open(c.id);
  };
  const toggleSelect = (c: CaseSummary) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (next.has(c.id)) next.delete(c.id);
      else next.set(c.id, c);
      return next;
    });

  useShortcut('j', () => move(1), { zh: '下一条', en: 'Next case' });
  useShortcut('k', () => move(-1), { zh: '上一条', en: 'Previous case' });
  useShortcut('Enter', openActive, { zh: '打开工单', en: 'Open the case' });
  useShortcut('/', () => searchRef.current?.focus(), { zh: '聚焦搜索框', en: 'Focus the search box' });
  useShortcut(
    'x',
    () => {
      const c = win.rowAt(activeIndex);
      if (c) toggleSelect(c);
    },
    { zh: '选中/取消选中当前工单', en: 'Select or unselect the current case' },
    { enabled: Boolean(Bulk) },
  );

  const { refresh: refreshOutbox } = outbox;
  const claim = useCallback(
    (c: CaseSummary) => {
      setClaiming((set) => new Set(set).add(c.id));
      setRowErrors(({ [c.id]: _, ...rest }) => rest);
      // Claims from several rows may be out at once: each row keeps its own spinner and refusal.
      void settle(bridge.call('cases.claim', { caseId: c.id, version: c.version })).then((outcome) => {
        setClaiming((set) => {
          const next = new Set(set);
          next.delete(c.id);
          return next;
        });
        if (!outcome.ok) setRowErrors((e) => ({ ...e, [c.id]: pick(outcome.problem.message) }));
        else if (outcome.value.queued) refreshOutbox();
      });
    },
    [bridge, refreshOutbox, pick],
  );

  const queued = useMemo(() => {
    const map = new Map<number, OutboxItem>();
    for (const item of outbox.items) if (item.caseId !== null) map.set(item.caseId, item);
    return map;
  }, [outbox.items]);

  const ctx: QueueCellContext = {
    locale,
    t: translator,
    s,
    now,
    myId: session.userId,
    queued,
    presence,
    claiming,
    rowErrors,
    claim,
  };

  const pickView = useStableCallback((name: string | null) => {
    const saved = views.find((v) => v.name === name);
    setActiveView(saved ? saved.name : null);
    setActiveTeamView(null);
    setView(saved ? { filters: saved.filters, sort: saved.sort, columns: saved.columns } : initial);
    setSearch(saved?.filters.q ?? '');
    setActiveIndex(-1);
  });
  const pickTeamView = useStableCallback((id: number) => {
    const shared = teamViews?.items.find((v) => v.id === id);
    if (!shared) return;
    setActiveView(null);
    setActiveTeamView(id);
    setView({ filters: shared.state.filters, sort: shared.state.sort, columns: shared.state.columns });
    setSearch(shared.state.filters.q ?? '');
    setActiveIndex(-1);
  });
  // Saving, deleting and exporting answer with a toast: what went through, or the refusal.
  const saving = useAction((name: string, filters: QueueFilters) =>
    bridge.call('views.save', { workspace: workspace.id, name, state: { ...view, filters } }),
  );
  const deleting = useAction((name: string) =>
    bridge.call('views.delete', { workspace: workspace.id, name }),
  );
  const sharing = useAction((teamId: number, name: string) =>
    bridge.call('teamViews.share', {
      teamId,
      workspace: workspace.id,
      name,
      state: { ...view, filters: { ...view.filters, ...(q ? { q } : {}) } },
    }),
  );
  const deletingShared = useAction((id: number) =>
    bridge.call('teamViews.delete', { workspace: workspace.id, id }),
  );
  const shareView = useStableCallback(async (teamId: number, name: string) => {
    const outcome = await sharing.run(teamId, name);
    if (!outcome.ok) return void message.error(pick(outcome.problem.message));
    setTeamViews(outcome.value);
    const team = outcome.value.teams.find((t) => t.id === teamId)?.name ?? '';
    message.success(s('teamViewShared', { name, team }));
  });
  const deleteTeamView = useStableCallback(async (id: number) => {
    const name = teamViews?.items.find((v) => v.id === id)?.name ?? '';
    const outcome = await deletingShared.run(id);
    if (!outcome.ok) return void message.error(pick(outcome.problem.message));
    setTeamViews(outcome.value);
    setActiveTeamView(null);
    message.success(s('teamViewDeleted', { name }));
  });
  const exporting = useAction(() =>
    exportQueueCsv(bridge, query, view.columns, translator, s, (done, all) =>
      setExportProgress(s('exporting', { done, total: all })),
    ),
  );
  const saveView = useStableCallback(async (name: string) => {
    const outcome = await saving.run(name, { ...view.filters, ...(q ? { q } : {}) });
    if (!outcome.ok) return void message.error(pick(outcome.problem.message));
    setViews(outcome.value.items);
    setActiveView(name);
    setActiveTeamView(null);
    message.success(s('viewSaved', { name }));
  });
  const deleteView = useStableCallback(async (name: string) => {
    const outcome = await deleting.run(name);
    if (!outcome.ok) return void message.error(pick(outcome.problem.message));
    setViews(outcome.value.items);
    setActiveView(null);
    message.success(s('viewDeleted', { name }));
  });

  const exportCsv = useStableCallback(async () => {
    setExportProgress(s('exporting', { done: 0, total: total ?? 0 }));
    const outcome = await exporting.run();
    setExportProgress(null);
    if (!outcome.ok) return void message.error(pick(outcome.problem.message));
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    downloadText(`jiangxin-${workspace.id}-${stamp}.csv`, outcome.value.csv);
    message.success(s('exported', { n: outcome.value.rows }));
  });
  const onFilters = useStableCallback((filters: QueueFilters) => {
    setView((v) => ({ ...v, filters }));
    setActiveIndex(-1);
  });
  const onColumns = useStableCallback((columns: QueueColumn[]) => setView((v) => ({ ...v, columns })));
  const onSort = useStableCallback((sort: QueueViewState['sort']) => setView((v) => ({ ...v, sort })));
  const onRowClick = useStableCallback((index: number, c: CaseSummary) => {
    setActiveIndex(index);
    open(c.id);
  });
  const closeCase = useStableCallback(() => open(null));
  // Cases my decisions took out of this queue; the queue may still list them for a while (a decision
  // queued offline until it is sent, a re-read not back yet), but they are never "next" again.
  const decided = useRef(new Set<number>());
  const pending = useRef(outbox.items);
  pending.current = outbox.items;
  /**
   * A decision on `caseId` is being sent: the queue's order is taken now, and the returned step moves the
   * pane by the one rule (movement.ts) once the decision went through or was queued.
   */
  const startDecision = useStableCallback((caseId: number) => {
    const order = win.rows.map((c) => c.id);
    return () => {
      const gone = new Set(decided.current);
      for (const item of pending.current) {
        if (item.method !== 'cases.perform' || item.caseId === null) continue;
        // A queued decision the core refused puts its case back in play.
        if (item.state === 'failed') gone.delete(item.caseId);
        else gone.add(item.caseId);
      }
      decided.current.add(caseId);
      open(nextAfterDecision(order, caseId, gone));
    };
  });

  const shownFilters = useMemo(
    () => ({ ...view.filters, ...workspace.fixedFilters }),
    [view.filters, workspace.fixedFilters],
  );
  const filtered = JSON.stringify(view.filters) !== JSON.stringify(initial.filters) || q !== '';
  // The kinds a queue over several offers to narrow to: those this member may view.
  const kindChoices = useMemo(
    () =>
      workspace.caseKinds && workspace.caseKinds.length > 1
        ? queueKindsFor(workspace, session.permissions)
        : undefined,
    [workspace, session.permissions],
  );

  return (
    // The reading pane takes room only while a case is open; the queue has the whole width otherwise.
    <main className={`workspace queue-split${openId !== null ? ' with-detail' : ''}`}>
      <section className="panel cases" aria-labelledby={titleId}>
        <Toolbar
          titleId={titleId}
          title={pick(workspace.label)}
          searchRef={searchRef}
          search={search}
          onSearch={setSearch}
          filters={shownFilters}
          fixed={workspace.fixedFilters}
          kinds={kindChoices}
          onFilters={onFilters}
          columns={view.columns}
          onColumns={onColumns}
          views={views}
          activeView={activeView}
          onPickView={pickView}
          onSaveView={saveView}
          onDeleteView={deleteView}
          teamViews={teamViews}
          activeTeamView={activeTeamView}
          onPickTeamView={pickTeamView}
          onShareView={shareView}
          onDeleteTeamView={deleteTeamView}
          total={total}
          exporting={exportProgress}
          onExport={exportCsv}
        />
        {Bulk && selected.size > 0 && (
          <div className="bulk-bar" data-testid="bulk-bar">
            <span>{s('selectedCount', { n: selected.size })}</span>
            <Bulk selected={[...selected.values()]} session={session} clear={() => setSelected(new Map())} />
            <Button onClick={() => setSelected(new Map())}>{s('clearSelection')}</Button>
          </div>
        )}
        {win.error && (
          <Alert
            type="error"
            showIcon
            role="alert"
            message={s('loadFailed', { reason: pick(win.error) })}
            action={<Button onClick={win.reload}>{s('retry')}</Button>}
          />
        )}
        {total === null && !win.error && (
          <div className="centered-pane" aria-busy="true">
            <Spin /> <span className="muted">{s('loadingRows')}</span>
          </div>
        )}
        {total === 0 && (
          <Empty
            className="queue-empty"
            data-testid="queue-empty"
            description={filtered ? s('emptyFiltered') : s('emptyQueue')}
          />
        )}
        {total !== null && total > 0 && (
          <CaseTable
            labelId={titleId}
            window={win}
            columns={view.columns}
            sort={view.sort}
            onSort={onSort}
            activeIndex={activeIndex}
            openId={openId}
            onRowClick={onRowClick}
            selection={Bulk ? new Set(selected.keys()) : null}
            onToggleSelect={toggleSelect}
            ctx={ctx}
            s={s}
          />
        )}
        <OutboxList items={outbox.items} />
      </section>
      {openId !== null && (
        <Detail
          key={openId}
          caseId={openId}
          session={session}
          onClose={closeCase}
          onDecision={startDecision}
        />
      )}
    </main>
  );
}
