import type { BridgeResult, ConsoleBridge } from '@jiangxin/shared/bridge';
import { type QueueFilters, type QueueViewState, queueKinds } from '@jiangxin/shared/console/views';
import { resolveRoute, type Workspace } from '@jiangxin/shared/console/workspaces';
import { PERMISSIONS } from '@jiangxin/shared/permissions';
import type { CaseQuery } from './useCaseWindow';

type CasePage = BridgeResult<'cases.list'>;

/** The statuses a queue shows until its filters say otherwise. */
export const DEFAULT_STATUSES: NonNullable<QueueFilters['statuses']> = ['open', 'waiting'];

/**
 * The cache query of a queue workspace's view and search box (also the key its window is held under). The
 * kinds are the workspace's, narrowed by the view's kind filter; the cache holds only the cases this member
 * may view, so a queue over several kinds needs no permission filter here. The workspace's fixed filters
 * always apply.
 */
export function queueQuery(
  workspace: Pick<Workspace, 'caseKinds' | 'fixedFilters'>,
  view: Pick<QueueViewState, 'filters' | 'sort'>,
  q: string,
): CaseQuery {
  return {
    ...view.filters,
    // A queue's own filters (My work: assigned to me) hold whatever view is picked or cleared.
    ...workspace.fixedFilters,
    kinds: queueKinds(workspace.caseKinds, view.filters.kinds),
    statuses: view.filters.statuses ?? DEFAULT_STATUSES,
    sort: view.sort,
    ...(q ? { q } : {}),
  };
}

/** The view a queue opens with: its workspace's default filters, by SLA (no saved view applies by itself). */
export function defaultViewQuery(
  workspace: Pick<Workspace, 'defaultFilters'>,
): Pick<QueueViewState, 'filters' | 'sort'> {
  return { filters: { ...workspace.defaultFilters }, sort: 'sla' };
}

/** A start-up read waits this long for its queue to mount; after that it is stale and dropped. */
const FRESH_MS = 10_000;

interface EarlyRead {
  key: string;
  offset: number;
  limit: number;
  at: number;
  promise: Promise<CasePage>;
  /** The answer, once it arrived. */
  page: CasePage | null;
  stop: () => void;
}

let early: EarlyRead | null = null;

function drop(read: EarlyRead | null) {
  if (!read) return;
  read.stop();
  if (early === read) early = null;
}

/**
 * A page reload on a queue's route (`#/moderation/listings/42`) shows that queue's first rows as soon as
 * possible: its first window is read now, beside `config.get` and `auth.session`, instead of after the
 * session is known and the console has rendered — the query is known up front, since a queue always
 * opens on its default view. `useCaseWindow` takes the answer for its first read when the key and the
 * window match, else reads as usual. A change to the cache before then (`cases.changed`), a failed read
 * (no session: the login page shows) or an answer older than FRESH_MS is dropped.
 *
 * `window`: the queue's first window (`firstWindow()` of useCaseWindow); `rendersQueue`: whether the
 * route's workspace is drawn by the queue view (a workspace with a screen of its own reads otherwise).
 * Returns when the read has settled (never rejects), or null when the route is not a queue's.
 */
export function prefetchQueueRoute(
  bridge: ConsoleBridge,
  route: string,
  window: { offset: number; limit: number },
  rendersQueue: (workspace: Workspace) => boolean,
): Promise<unknown> | null {
  const found = resolveRoute(route.replace(/^#/, ''), PERMISSIONS);
  if (!found?.workspace.caseKinds || !rendersQueue(found.workspace)) return null;
  const query = queueQuery(found.workspace, defaultViewQuery(found.workspace), '');
  drop(early);
  const promise = bridge.call('cases.list', { ...query, ...window });
  const read: EarlyRead = {
    key: JSON.stringify(query),
    ...window,
    at: Date.now(),
    promise,
    page: null,
    stop: bridge.on('cases.changed', () => drop(read)),
  };
  early = read;
  return promise.then(
    (page) => {
      read.page = page;
    },
    () => drop(read),
  );
}

function matching(key: string, offset: number, limit: number): EarlyRead | null {
  if (!early) return null;
  if (Date.now() - early.at > FRESH_MS) {
    drop(early);
    return null;
  }
  return early.key === key && early.offset === offset && early.limit === limit ? early : null;
}

/** The start-up read's answer for this window, if it has arrived (the queue's first render shows it). */
export function earlyPage(key: string, offset: number, limit: number): CasePage | null {
  return matching(key, offset, limit)?.page ?? null;
}

/** Takes the start-up read for this window (once): its answer, or null to read as usual. */
export function takeEarlyRead(key: string, offset: number, limit: number): Promise<CasePage> | null {
  const read = matching(key, offset, limit);
  if (!read) return null;
  drop(read);
  return read.promise;
}
