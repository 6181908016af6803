import type { AuditEntry } from '@jiangxin/shared/ops/audit';
import { Alert, Button, Input, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react';
import { useBridge } from '../../bridge';
import { useAction, useBridgeQuery } from '../../calls';
import { formatDateTime } from '../../format';
import { paren, useT } from '../../i18n';
import { auditSentence, auditUserParts } from '../../kit/audit-sentences';
import type { WorkspaceScreenProps } from '../../kit/pane';
import { WithUserText } from '../../kit/UserText';
import './admin.css';
import { type AdminStrings, useAdminStrings } from './strings';

const PAGE_SIZE = 50;
const ID_PATTERN = /^[1-9]\d{0,15}$/;
const ACTION_PATTERN = /^[a-z_.*]{1,80}$/;
const SUBJECT_TYPE_PATTERN = /^[a-z_]{1,40}$/;

/** What `audit.list` is asked for (besides the cursor). */
export interface AuditFilter {
  actorId?: number;
  action?: string;
  subjectType?: string;
  subjectId?: number;
  maxId?: number;
  from?: string;
  to?: string;
}

export interface AuditFilterInput {
  actorId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  from: string;
  to: string;
}
const EMPTY_INPUT: AuditFilterInput = {
  actorId: '',
  action: '',
  subjectType: '',
  subjectId: '',
  from: '',
  to: '',
};

type FilterErrors = Partial<Record<keyof AuditFilterInput, string>>;

/** Checks the filter fields as `auditQuerySchema` will, so a bad filter is named here, not refused later. */
export function parseAuditFilter(
  input: AuditFilterInput,
  s: AdminStrings,
): { filter: AuditFilter } | { errors: FilterErrors } {
  const errors: FilterErrors = {};
  const filter: AuditFilter = {};
  const actorId = input.actorId.trim();
  if (actorId) {
    if (ID_PATTERN.test(actorId)) filter.actorId = Number(actorId);
    else errors.actorId = s('auditIdInvalid', { field: s('auditActor') });
  }
  const subjectId = input.subjectId.trim();
  if (subjectId) {
    if (ID_PATTERN.test(subjectId)) filter.subjectId = Number(subjectId);
    else errors.subjectId = s('auditIdInvalid', { field: s('auditSubjectId') });
  }
  const action = input.action.trim();
  if (action) {
    if (ACTION_PATTERN.test(action)) filter.action = action;
    else errors.action = s('auditActionInvalid');
  }
  const subjectType = input.subjectType.trim();
  if (subjectType) {
    if (SUBJECT_TYPE_PATTERN.test(subjectType)) filter.subjectType = subjectType;
    else errors.subjectType = s('auditSubjectTypeInvalid');
  }
  const from = input.from ? new Date(input.from) : null;
  const to = input.to ? new Date(input.to) : null;
  if (from && !Number.isNaN(from.getTime())) filter.from = from.toISOString();
  if (to && !Number.isNaN(to.getTime())) filter.to = to.toISOString();
  if (filter.from && filter.to && filter.from >= filter.to) errors.to = s('auditRangeInvalid');
  return Object.keys(errors).length ? { errors } : { filter };
}

type Verification =
  | { state: 'checking' }
  | {
      state: 'done';
      ok: boolean;
      checked: number;
      firstBrokenId: number | null;
      reason: string | null;
      head: string;
    }
  | { state: 'failed'; message: string };

/**
 * The audit log: every staff action as a sentence in the reader's language (who did what to which case
 * or person, with the amounts, reasons and before → after that matter; the raw record behind 详情), newest first, filtered by actor, action (exact or `prefix.*`),
 * subject and time; older pages with the core's cursor. Beside it the hash chain's verification: intact
 * with the number of entries checked, or the first broken entry with the reason — highlighted in the
 * table, and one click opens the log at it.
 */
export function AuditScreen(_props: WorkspaceScreenProps) {
  const bridge = useBridge();
  const { locale } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const [input, setInput] = useState<AuditFilterInput>(EMPTY_INPUT);
  const [errors, setErrors] = useState<FilterErrors>({});
  const [applied, setApplied] = useState<AuditFilter>({});
  // The newest page of the filter asked for, then older pages as they are asked for.
  const [older, setOlder] = useState<{ items: AuditEntry[]; nextCursor: string | null } | null>(null);
  const first = useBridgeQuery(
    'audit.list',
    { ...applied, limit: PAGE_SIZE },
    { keepPreviousData: true, onData: () => setOlder(null) },
  );
  const more = useAction((cursor: string) =>
    bridge.call('audit.list', { ...applied, limit: PAGE_SIZE, cursor }),
  );
  const items = [...(first.data?.items ?? []), ...(older?.items ?? [])];
  const nextCursor = older ? older.nextCursor : (first.data?.nextCursor ?? null);
  const loading = first.loading || more.busy;
  const problem = more.error ?? first.error;
  const loadMore = async () => {
    if (!nextCursor) return;
    const outcome = await more.run(nextCursor);
    if (outcome.ok)
      setOlder((o) => ({
        items: [...(o?.items ?? []), ...outcome.value.items],
        nextCursor: outcome.value.nextCursor,
      }));
  };
  /** Shows the log from its newest entry that `filter` matches (asked again for the same filter). */
  const show = (filter: AuditFilter) => {
    setApplied(filter);
    more.reset();
    first.reload();
  };

  const check = useBridgeQuery('audit.verify', {});
  const verification: Verification =
    check.loading || (!check.data && !check.error)
      ? { state: 'checking' }
      : check.error || !check.data
        ? { state: 'failed', message: check.error ?? '' }
        : {
            state: 'done',
            ok: check.data.ok,
            checked: check.data.checked,
            firstBrokenId: check.data.firstBrokenId,
            reason: check.data.reason,
            head: check.data.headHash,
          };

  const search = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseAuditFilter(input, s);
    if ('errors' in parsed) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    show(parsed.filter);
  };

  const clear = () => {
    setInput(EMPTY_INPUT);
    setErrors({});
    show({});
  };

  const brokenId = verification.state === 'done' && !verification.ok ? verification.firstBrokenId : null;
  // The raw record stays behind a per-row "details" toggle; the row reads as a sentence.
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const goToBreak = () => {
    if (brokenId === null) return;
    const filter = { maxId: brokenId };
    setInput(EMPTY_INPUT);
    setErrors({});
    show(filter);
  };

  const columns: ColumnsType<AuditEntry> = [
    {
      title: '#',
      dataIndex: 'id',
      width: 110,
      render: (id: number) => (
        <span>
          {id}
          {id === brokenId && (
            <Tag color="error" className="audit-broken-tag">
              {s('brokenTag')}
            </Tag>
          )}
        </span>
      ),
    },
    { title: s('colAt'), dataIndex: 'at', width: 130, render: (at: string) => formatDateTime(at, locale) },
    {
      title: s('colWhat'),
      key: 'what',
      render: (_: unknown, r) => {
        const open = expanded.has(r.id);
        const detailsId = `${ids}-details-${r.id}`;
        return (
          <div className="audit-what">
            <span className="audit-sentence" data-testid={`audit-sentence-${r.id}`}>
              <WithUserText text={auditSentence(r, locale)} parts={auditUserParts(r)} />
            </span>
            <Button
              type="link"
              size="small"
              aria-expanded={open}
              aria-controls={open ? detailsId : undefined}
              onClick={() => toggle(r.id)}
              data-testid={`audit-details-toggle-${r.id}`}
            >
              {open ? s('detailsHide') : s('details')}
            </Button>
            {open && (
              <pre id={detailsId} className="audit-data" data-testid={`audit-details-${r.id}`}>
                {JSON.stringify(
                  {
                    action: r.action,
                    actorId: r.actorId,
                    subjectType: r.subjectType,
                    subjectId: r.subjectId,
                    data: r.data,
                  },
                  null,
                  2,
                )}
              </pre>
            )}
          </div>
        );
      },
    },
    {
      title: s('colHash'),
      dataIndex: 'hash',
      width: 110,
      render: (hash: string) => (
        <code title={hash} data-user-content="">
          {hash.slice(0, 10)}…
        </code>
      ),
    },
  ];

  const field = (
    key: keyof AuditFilterInput,
    label: string,
    placeholder?: string,
    type?: string,
    examples?: readonly (readonly [string, Parameters<AdminStrings>[0]])[],
  ) => {
    const id = `${ids}-${key}`;
    const error = errors[key];
    const described = [error ? `${id}-error` : null, examples ? `${id}-examples` : null].filter(Boolean);
    return (
      <div className="admin-field">
        <label htmlFor={id}>{label}</label>
        <Input
          id={id}
          type={type}
          value={input[key]}
          placeholder={placeholder}
          status={error ? 'error' : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={described.length ? described.join(' ') : undefined}
          onChange={(e) => setInput({ ...input, [key]: e.target.value })}
          data-testid={`audit-filter-${key}`}
        />
        {examples && (
          // The codes are what is typed (translate="no": identifiers, shown on purpose), each in words.
          <span id={`${id}-examples`} className="muted small">
            {s('auditExamples')}{' '}
            {examples.map(([code, words], at) => (
              <span key={code}>
                {at > 0 && (locale === 'en' ? '; ' : '；')}
                <code translate="no">{code}</code>
                {paren(locale, s(words))}
              </span>
            ))}
          </span>
        )}
        {error && (
          <span id={`${id}-error`} className="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <main className="admin-screen" data-testid="audit-screen">
      <h1>{s('auditTitle')}</h1>
      <p className="muted">{s('auditIntro')}</p>

      <section
        aria-labelledby={`${ids}-verify`}
        className="audit-verify"
        data-testid="audit-verify"
        aria-busy={verification.state === 'checking'}
      >
        <h2 id={`${ids}-verify`}>{s('verifyTitle')}</h2>
        {verification.state === 'checking' && (
          <Alert type="info" title={s('verifying')} showIcon role="status" />
        )}
        {verification.state === 'failed' && (
          <Alert type="warning" title={verification.message} showIcon role="alert" />
        )}
        {verification.state === 'done' && verification.ok && (
          <Alert
            type="success"
            showIcon
            role="status"
            title={s('chainOk')}
            description={
              <WithUserText
                text={s('chainOkDetail', { n: verification.checked, hash: verification.head.slice(0, 16) })}
                parts={[verification.head.slice(0, 16)]}
              />
            }
            data-testid="audit-chain-ok"
          />
        )}
        {verification.state === 'done' && !verification.ok && (
          <Alert
            type="error"
            showIcon
            role="alert"
            title={s('chainBroken')}
            description={s('chainBrokenDetail', {
              id: verification.firstBrokenId ?? '?',
              n: verification.checked,
              reason: verification.reason ? s(`reason_${verification.reason}` as never) : '',
            })}
            action={
              <Button onClick={goToBreak} data-testid="audit-go-to-break">
                {s('showBroken')}
              </Button>
            }
            data-testid="audit-chain-broken"
          />
        )}
        <Button
          className="audit-verify-again"
          onClick={check.reload}
          disabled={verification.state === 'checking'}
        >
          {s('verifyAgain')}
        </Button>
      </section>

      <section aria-labelledby={`${ids}-filters`}>
        <h2 id={`${ids}-filters`}>{s('auditFilters')}</h2>
        <form className="admin-filters" onSubmit={search} noValidate>
          {field('actorId', s('auditActor'), '12')}
          {field('action', s('auditAction'), s('auditActionPlaceholder'), undefined, [
            ['case.claim', 'auditExampleClaim'],
            ['case.perform.*', 'auditExamplePerform'],
          ])}
          {field('subjectType', s('auditSubjectType'), s('auditSubjectTypePlaceholder'), undefined, [
            ['case', 'auditExampleCase'],
            ['user', 'auditExampleUser'],
            ['settings', 'auditExampleSettings'],
          ])}
          {field('subjectId', s('auditSubjectId'), '345')}
          {field('from', s('auditRangeFrom'), undefined, 'datetime-local')}
          {field('to', s('auditRangeTo'), undefined, 'datetime-local')}
          <Space className="admin-filter-buttons">
            <Button type="primary" htmlType="submit" data-testid="audit-search">
              {s('auditSearch')}
            </Button>
            <Button onClick={clear}>{s('auditClear')}</Button>
          </Space>
        </form>
      </section>

      {problem && <Alert type="error" showIcon role="alert" title={problem} />}

      <Table<AuditEntry>
        data-testid="audit-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={loading}
        pagination={false}
        rowClassName={(r) => (r.id === brokenId ? 'audit-broken' : '')}
        onRow={(r) => ({ 'data-testid': `audit-row-${r.id}` }) as HTMLAttributes<HTMLElement>}
        locale={{ emptyText: s('auditEmpty') }}
        scroll={{ x: 1000 }}
      />
      <div className="admin-more">
        <output className="muted">
          {nextCursor ? s('shown', { n: items.length }) : s('noMore', { n: items.length })}
        </output>
        {nextCursor && (
          <Button onClick={() => void loadMore()} disabled={loading} data-testid="audit-load-more">
            {s('loadMore')}
          </Button>
        )}
      </div>
    </main>
  );
}
