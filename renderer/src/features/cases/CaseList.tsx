import type { OutboxItem } from '@jiangxin/shared/bridge';
import {
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  type CaseKind,
  type CaseStatus,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import { useEffect, useRef, useState } from 'react';
import { problemOf, useBridge, useBridgeEvent, useConnection } from '../../bridge';
import { formatDateTime, formatFen } from '../../format';
import { type StringKey, useT } from '../../i18n';
import { OUTBOX_STATE_LABELS } from '../outbox/OutboxPanel';
import type { Outbox } from '../outbox/useOutbox';

const STATUS_LABELS: Record<CaseStatus, StringKey> = {
  open: 'statusOpen',
  waiting: 'statusWaiting',
  resolved: 'statusResolved',
};

/** Typing pauses this long before the query runs; bursts of `cases.changed` are folded the same way. */
const SEARCH_DEBOUNCE_MS = 250;
const CHANGES_DEBOUNCE_MS = 150;

/**
 * The raw queue: open and waiting cases from the engine's offline cache, soonest SLA first, re-read when
 * the cache changes. Claiming goes through the engine, which queues it while the core is unreachable;
 * such rows show the outbox state until the action is sent.
 */
export function CaseList({
  outbox,
  kinds,
  title,
}: {
  outbox: Outbox;
  /** The workspace's case kinds (all kinds when omitted). */
  kinds?: readonly CaseKind[];
  /** The workspace's name as the heading (the generic queue title when omitted). */
  title?: string;
}) {
  const bridge = useBridge();
  const { opens } = useConnection();
  const { t, pick, locale } = useT();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [changes, setChanges] = useState(0);
  const [list, setList] = useState<{ items: CaseSummary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<ReadonlySet<number>>(new Set());
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const changeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A stable dependency for the kinds (the array is re-created on every render of the parent).
  const kindsKey = kinds?.join(',') ?? '';

  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `changes` is a re-read trigger (cases.changed)
  useEffect(() => {
    if (opens === 0) return;
    let current = true;
    bridge
      .call('cases.list', {
        statuses: ['open', 'waiting'],
        ...(kindsKey ? { kinds: kindsKey.split(',') as CaseKind[] } : {}),
        sort: 'sla',
        limit: 200,
        ...(query ? { q: query } : {}),
      })
      .then(
        (result) => {
          if (!current) return;
          setList(result);
          setError(null);
        },
        (err: unknown) => current && setError(pick(problemOf(err).message)),
      );
    return () => {
      current = false;
    };
  }, [bridge, opens, query, changes, pick, kindsKey]);

  useBridgeEvent('cases.changed', () => {
    changeTimer.current ??= setTimeout(() => {
      changeTimer.current = null;
      setChanges((n) => n + 1);
    }, CHANGES_DEBOUNCE_MS);
  });
  useEffect(
    () => () => {
      if (changeTimer.current) clearTimeout(changeTimer.current);
    },
    [],
  );

  const queuedFor = new Map<number, OutboxItem>();
  for (const item of outbox.items) if (item.caseId !== null) queuedFor.set(item.caseId, item);

  const claim = (c: CaseSummary) => {
    setClaiming((s) => new Set(s).add(c.id));
    setRowErrors(({ [c.id]: _, ...rest }) => rest);
    bridge
      .call('cases.claim', { caseId: c.id, version: c.version })
      .then(
        (receipt) => {
          if (receipt.queued) outbox.refresh();
        },
        (err: unknown) => setRowErrors((e) => ({ ...e, [c.id]: pick(problemOf(err).message) })),
      )
      .finally(() =>
        setClaiming((s) => {
          const next = new Set(s);
          next.delete(c.id);
          return next;
        }),
      );
  };

  return (
    <section className="panel cases" aria-labelledby="cases-title">
      <div className="panel-head">
        <h2 id="cases-title">{title ?? t('casesTitle')}</h2>
        <input
          type="search"
          className="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={t('casesSearch')}
          aria-label={t('casesSearch')}
          data-testid="case-search"
          maxLength={100}
        />
        {list && (
          <span className="muted" data-testid="case-total">
            {t('casesTotal', { n: list.total })}
          </span>
        )}
      </div>
      {error && (
        <p className="problem" role="alert">
          {error}
        </p>
      )}
      <table className="case-table" data-testid="case-table" aria-labelledby="cases-title">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('colKind')}</th>
            <th scope="col">{t('colStatus')}</th>
            <th scope="col">{t('colTitle')}</th>
            <th scope="col">{t('colPriority')}</th>
            <th scope="col">{t('colAssignee')}</th>
            <th scope="col" className="num">
              {t('colAmount')}
            </th>
            <th scope="col">{t('colSla')}</th>
            <th scope="col">{t('colActions')}</th>
          </tr>
        </thead>
        <tbody>
          {list?.items.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                {t('casesEmpty')}
              </td>
            </tr>
          )}
          {list?.items.map((c) => {
            const queued = queuedFor.get(c.id);
            return (
              <tr key={c.id} data-testid={`case-row-${c.id}`} className={`priority-${c.priority}`}>
                <td>#{c.id}</td>
                <td>{pick(CASE_KIND_LABELS[c.kind])}</td>
                <td>{t(STATUS_LABELS[c.status])}</td>
                <td className="title">{c.title}</td>
                <td>{pick(CASE_PRIORITY_LABELS[c.priority] ?? CASE_PRIORITY_LABELS[0])}</td>
                <td data-testid={`case-assignee-${c.id}`}>{c.assigneeName ?? '—'}</td>
                <td className="num">{c.amountFen === null ? '—' : formatFen(c.amountFen)}</td>
                <td className={c.slaBreached ? 'sla-breached' : undefined}>
                  {c.slaDueAt ? formatDateTime(c.slaDueAt, locale) : '—'}
                  {c.slaBreached && ` · ${t('slaBreached')}`}
                </td>
                <td>
                  {queued ? (
                    <span
                      className={`badge outbox-${queued.state}`}
                      data-testid={`case-pending-${c.id}`}
                      data-state={queued.state}
                    >
                      {t(OUTBOX_STATE_LABELS[queued.state])}
                    </span>
                  ) : (
                    c.assigneeId === null && (
                      <button
                        type="button"
                        onClick={() => claim(c)}
                        disabled={claiming.has(c.id)}
                        aria-label={t('claimCase', { id: c.id })}
                        data-testid={`case-claim-${c.id}`}
                      >
                        {t('claim')}
                      </button>
                    )
                  )}
                  {rowErrors[c.id] && (
                    <span className="problem small" role="alert">
                      {rowErrors[c.id]}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
