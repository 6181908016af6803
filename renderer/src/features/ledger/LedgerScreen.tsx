import { WALLET_TRANSACTION_LABELS, type WalletTransactionType } from '@jiangxin/shared/api/wallet';
import type { BridgeProblem } from '@jiangxin/shared/bridge';
import {
  LEDGER_ACCOUNT_KIND_LABELS,
  LEDGER_JOURNAL_KIND_LABELS,
  type LedgerAccount,
  type LedgerAccountsResponse,
  type LedgerPosting,
  type LedgerTransaction,
} from '@jiangxin/shared/ops/ledger';
import { parseOrderReference } from '@jiangxin/shared/orders';
import { Alert, Button, Descriptions, Empty, Input, Spin, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, type ReactNode, useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { problemOf, useBridge, useConnection } from '../../bridge';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../shell/screens';
import './ledger.css';
import { useLedgerStrings } from './strings';

/**
 * What the screen is looking at: exactly one of a user, an order (by the number staff see, or its ID) or
 * an account (as the core requires).
 */
export type LedgerSubject =
  | { userId: number }
  | { orderId: number }
  | { orderNumber: string }
  | { account: string };

type Strings = ReturnType<typeof useLedgerStrings>;
/** What is wrong with the filter, with the text at fault where there is one (the message quotes it). */
type FilterProblem =
  | { key: 'needOne' | 'onlyOne' }
  | { key: 'userIdInvalid' | 'orderInvalid' | 'accountInvalid'; input: string };
type FilterInputs = { userId: string; order: string; account: string };

const ID_PATTERN = /^[1-9]\d{0,15}$/;
const ACCOUNT_PATTERN = /^[a-z0-9_:]{1,80}$/;
const PAGE_SIZE = 20;

/**
 * Checks the three inputs before anything is sent: one filter, well-formed. The order is taken as staff
 * quote it — the order number (`JX20261126000001`, any case, spaces or full-width characters) — or as
 * its ID, `123` or `#123`.
 */
export function parseLedgerFilter(
  input: FilterInputs,
): { subject: LedgerSubject } | { problem: FilterProblem } {
  const userId = input.userId.trim();
  const order = input.order.trim();
  const account = input.account.trim();
  const filled = [userId, order, account].filter(Boolean).length;
  if (filled === 0) return { problem: { key: 'needOne' } };
  if (filled > 1) return { problem: { key: 'onlyOne' } };
  if (userId) {
    return ID_PATTERN.test(userId)
      ? { subject: { userId: Number(userId) } }
      : { problem: { key: 'userIdInvalid', input: userId } };
  }
  if (order) {
    const ref = parseOrderReference(order);
    return ref ? { subject: ref } : { problem: { key: 'orderInvalid', input: order } };
  }
  return ACCOUNT_PATTERN.test(account)
    ? { subject: { account } }
    : { problem: { key: 'accountInvalid', input: account } };
}

/** The order input as the route names it: the order number, else the ID as `#123`. */
function orderInputFromParams(params: URLSearchParams): string {
  const id = params.get('orderId');
  return params.get('orderNumber') ?? (id ? `#${id}` : '');
}

function inputsFromParams(params: URLSearchParams): FilterInputs {
  return {
    userId: params.get('userId') ?? '',
    order: orderInputFromParams(params),
    account: params.get('account') ?? '',
  };
}

function subjectFromParams(params: URLSearchParams): LedgerSubject | null {
  const parsed = parseLedgerFilter(inputsFromParams(params));
  return 'subject' in parsed ? parsed.subject : null;
}

function subjectParams(subject: LedgerSubject): Record<string, string> {
  if ('userId' in subject) return { userId: String(subject.userId) };
  if ('orderId' in subject) return { orderId: String(subject.orderId) };
  if ('orderNumber' in subject) return { orderNumber: subject.orderNumber };
  return { account: subject.account };
}

/** The part of a transaction that moved the subject's own accounts. */
function subjectNet(subject: LedgerSubject, tx: LedgerTransaction): number {
  const mine = (p: LedgerPosting) =>
    'userId' in subject
      ? p.userId === subject.userId
      : 'orderId' in subject
        ? p.accountKind === 'escrow' && p.orderId === subject.orderId
        : 'orderNumber' in subject
          ? p.accountKind === 'escrow' && p.orderNumber === subject.orderNumber
          : p.accountCode === subject.account;
  return tx.postings.filter(mine).reduce((sum, p) => sum + p.amountFen, 0);
}

const sumOf = (tx: LedgerTransaction) => tx.postings.reduce((sum, p) => sum + p.amountFen, 0);

interface Loaded {
  subject: LedgerSubject;
  accounts: LedgerAccountsResponse;
  items: LedgerTransaction[];
  nextCursor: string | null;
}

/**
 * The ledger explorer (finance): one user's, order's or account's accounts with balances, and its
 * journal transactions newest first, each expandable to its postings with the debit/credit sides and
 * their sum (always ¥0.00 in a sound ledger). The filter lives in the route (`?userId=12`), so a view can
 * be linked and survives a reload. Everything comes from the core: offline, the screen says so.
 */
export function LedgerScreen(_props: WorkspaceScreenProps) {
  const bridge = useBridge();
  const { opens } = useConnection();
  const { pick } = useT();
  const s = useLedgerStrings();
  const [params, setParams] = useSearchParams();
  const applied = subjectFromParams(params);
  const appliedKey = applied ? JSON.stringify(applied) : '';
  const [inputs, setInputs] = useState<FilterInputs>(() => inputsFromParams(params));
  const [inputProblem, setInputProblem] = useState<FilterProblem | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<BridgeProblem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [more, setMore] = useState<{ loading: boolean; problem: BridgeProblem | null }>({
    loading: false,
    problem: null,
  });
  const ids = { user: useId(), order: useId(), account: useId(), problem: useId() };

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the Retry button's re-run trigger
  useEffect(() => {
    if (!appliedKey || opens === 0) return;
    const subject = JSON.parse(appliedKey) as LedgerSubject;
    let current = true;
    setLoading(true);
    setProblem(null);
    Promise.all([
      bridge.call('ledger.accounts', subject),
      bridge.call('ledger.transactions', { ...subject, limit: PAGE_SIZE }),
    ]).then(
      ([accounts, page]) => {
        if (!current) return;
        setLoaded({ subject, accounts, items: page.items, nextCursor: page.nextCursor });
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setLoaded(null);
        setProblem(problemOf(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [bridge, appliedKey, opens, attempt]);

  const search = (e?: FormEvent) => {
    e?.preventDefault();
    const parsed = parseLedgerFilter(inputs);
    if ('problem' in parsed) {
      setInputProblem(parsed.problem);
      return;
    }
    setInputProblem(null);
    if (JSON.stringify(parsed.subject) === appliedKey) setAttempt((n) => n + 1);
    else setParams(subjectParams(parsed.subject));
  };

  /** Pivots to one account (from a row's account code). */
  const showAccount = (code: string) => {
    setInputs({ userId: '', order: '', account: code });
    setInputProblem(null);
    setParams({ account: code });
  };

  const loadMore = () => {
    if (!loaded?.nextCursor || more.loading) return;
    const { subject, nextCursor } = loaded;
    setMore({ loading: true, problem: null });
    bridge.call('ledger.transactions', { ...subject, limit: PAGE_SIZE, cursor: nextCursor }).then(
      (page) => {
        setLoaded((l) =>
          l && l.subject === subject
            ? { ...l, items: [...l.items, ...page.items], nextCursor: page.nextCursor }
            : l,
        );
        setMore({ loading: false, problem: null });
      },
      (err: unknown) => setMore({ loading: false, problem: problemOf(err) }),
    );
  };

  const setInput = (field: keyof typeof inputs) => (e: { target: { value: string } }) =>
    setInputs((v) => ({ ...v, [field]: e.target.value }));

  return (
    <main className="ledger-screen" data-testid="ledger-screen">
      <h1>{s('title')}</h1>
      <p className="muted">{s('intro')}</p>
      <form
        className="ledger-filter"
        onSubmit={search}
        aria-label={s('filterLabel')}
        noValidate
        data-testid="ledger-filter"
      >
        <label htmlFor={ids.user}>
          {s('userId')}
          <Input
            id={ids.user}
            value={inputs.userId}
            onChange={setInput('userId')}
            placeholder={s('userIdPlaceholder')}
            inputMode="numeric"
            allowClear
            aria-invalid={inputProblem?.key === 'userIdInvalid'}
            aria-describedby={inputProblem ? ids.problem : undefined}
            data-testid="ledger-filter-user"
          />
        </label>
        <label htmlFor={ids.order}>
          {s('order')}
          <Input
            id={ids.order}
            value={inputs.order}
            onChange={setInput('order')}
            placeholder={s('orderPlaceholder')}
            allowClear
            spellCheck={false}
            aria-invalid={inputProblem?.key === 'orderInvalid'}
            aria-describedby={inputProblem ? ids.problem : undefined}
            data-testid="ledger-filter-order"
          />
        </label>
        <label htmlFor={ids.account} className="wide">
          {s('account')}
          <Input
            id={ids.account}
            value={inputs.account}
            onChange={setInput('account')}
            placeholder={s('accountPlaceholder')}
            allowClear
            spellCheck={false}
            aria-invalid={inputProblem?.key === 'accountInvalid'}
            aria-describedby={inputProblem ? ids.problem : undefined}
            data-testid="ledger-filter-account"
          />
        </label>
        <div className="ledger-filter-actions">
          <Button type="primary" htmlType="submit" loading={loading} data-testid="ledger-search">
            {s('search')}
          </Button>
          <Button
            onClick={() => {
              setInputs({ userId: '', order: '', account: '' });
              setInputProblem(null);
            }}
            data-testid="ledger-clear"
          >
            {s('clear')}
          </Button>
        </div>
      </form>
      {inputProblem && (
        <Alert
          id={ids.problem}
          type="warning"
          showIcon
          role="alert"
          title={
            'input' in inputProblem ? s(inputProblem.key, { input: inputProblem.input }) : s(inputProblem.key)
          }
          data-testid="ledger-input-problem"
        />
      )}

      {!applied && !loaded && !problem && <Empty description={s('start')} data-testid="ledger-start" />}
      {loading && !loaded && (
        <div className="ledger-loading" data-testid="ledger-loading">
          <Spin />
          <span>{s('loading')}</span>
        </div>
      )}
      {problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="ledger-error"
          title={pick(problem.message)}
          description={
            problem.code === 'offline' || problem.code === 'not_signed_in' ? s('needsCore') : undefined
          }
          action={
            <Button onClick={() => setAttempt((n) => n + 1)} data-testid="ledger-retry">
              {s('retry')}
            </Button>
          }
        />
      )}
      {loaded && (
        <LedgerResults
          loaded={loaded}
          s={s}
          onShowAccount={showAccount}
          onLoadMore={loadMore}
          more={more}
          busy={loading}
        />
      )}
    </main>
  );
}

function subjectTitle(s: Strings, subject: LedgerSubject): string {
  if ('userId' in subject) return s('subjectUser', { id: subject.userId });
  if ('orderId' in subject) return s('subjectOrder', { order: `#${subject.orderId}` });
  if ('orderNumber' in subject) return s('subjectOrder', { order: subject.orderNumber });
  return s('subjectAccount', { code: subject.account });
}

function LedgerResults({
  loaded,
  s,
  onShowAccount,
  onLoadMore,
  more,
  busy,
}: {
  loaded: Loaded;
  s: Strings;
  onShowAccount: (code: string) => void;
  onLoadMore: () => void;
  more: { loading: boolean; problem: BridgeProblem | null };
  busy: boolean;
}) {
  const { pick, locale } = useT();
  const { subject, accounts, items, nextCursor } = loaded;
  const [expanded, setExpanded] = useState<readonly number[]>([]);

  const owner = (a: Pick<LedgerAccount, 'userId' | 'userNickname' | 'orderId' | 'orderNumber'>) => {
    if (a.userId !== null) return `${a.userNickname ?? ''} #${a.userId}`.trim();
    if (a.orderId !== null) return s('ownerOrder', { number: a.orderNumber ?? `#${a.orderId}` });
    return s('ownerPlatform');
  };
  const accountLink = (code: string) => (
    <Button
      type="link"
      size="small"
      className="ledger-code"
      onClick={() => onShowAccount(code)}
      aria-label={s('showAccount', { code })}
    >
      {code}
    </Button>
  );

  const accountColumns: ColumnsType<LedgerAccount> = [
    { title: s('colAccount'), dataIndex: 'code', render: (code: string) => accountLink(code) },
    { title: s('colKind'), dataIndex: 'kind', render: (_, a) => pick(LEDGER_ACCOUNT_KIND_LABELS[a.kind]) },
    { title: s('colOwner'), key: 'owner', render: (_, a) => owner(a) },
    {
      title: s('colBalance'),
      dataIndex: 'balanceFen',
      align: 'right',
      className: 'num',
      render: (fen: number) => formatFen(fen),
    },
    {
      title: s('colSource'),
      dataIndex: 'balanceSource',
      render: (src: LedgerAccount['balanceSource']) =>
        src === 'cached' ? s('sourceCached') : s('sourceSummed'),
    },
    { title: s('colPostings'), dataIndex: 'postingCount', align: 'right', className: 'num' },
  ];

  const txColumns: ColumnsType<LedgerTransaction> = [
    { title: s('colTx'), dataIndex: 'id', render: (id: number) => `J${id}` },
    {
      title: s('colTime'),
      dataIndex: 'createdAt',
      render: (iso: string) => formatDateTime(iso, locale),
    },
    {
      title: s('colTxKind'),
      dataIndex: 'kind',
      render: (kind: string) => {
        const label = LEDGER_JOURNAL_KIND_LABELS[kind];
        return label ? pick(label) : kind;
      },
    },
    { title: s('colOrder'), dataIndex: 'orderNumber', render: (n: string | null) => n ?? '—' },
    { title: s('colDescription'), dataIndex: 'description', className: 'ledger-description' },
    {
      title: s('colSubjectNet'),
      key: 'net',
      align: 'right',
      className: 'num',
      render: (_, tx) => signed(subjectNet(subject, tx)),
    },
    {
      title: s('colSum'),
      key: 'sum',
      align: 'right',
      className: 'num',
      render: (_, tx) => {
        const sum = sumOf(tx);
        return (
          <span data-testid={`ledger-tx-sum-${tx.id}`}>
            {formatFen(sum)}{' '}
            {sum === 0 ? (
              <span className="muted small">{s('balanced')}</span>
            ) : (
              <Tag color="error">{s('unbalanced')}</Tag>
            )}
          </span>
        );
      },
    },
  ];

  return (
    <div className="ledger-results" aria-busy={busy}>
      <section aria-labelledby="ledger-accounts-title" data-testid="ledger-accounts">
        <h2 id="ledger-accounts-title">
          {s('accountsTitle')} · {subjectTitle(s, subject)}
        </h2>
        {accounts.wallet && (
          <Descriptions
            size="small"
            bordered
            column={4}
            title={<h3 className="ledger-h3">{s('walletTitle')}</h3>}
            data-testid="ledger-wallet"
            items={[
              { key: 'a', label: s('walletAvailable'), children: formatFen(accounts.wallet.availableFen) },
              { key: 'f', label: s('walletFrozen'), children: formatFen(accounts.wallet.frozenFen) },
              {
                key: 'p',
                label: s('walletPayoutPending'),
                children: formatFen(accounts.wallet.payoutPendingFen),
              },
              { key: 'e', label: s('walletEarned'), children: formatFen(accounts.wallet.totalEarnedFen) },
            ]}
          />
        )}
        <Table<LedgerAccount>
          size="small"
          rowKey="id"
          columns={accountColumns}
          dataSource={accounts.accounts}
          pagination={false}
          locale={{ emptyText: s('accountsEmpty') }}
          onRow={(a) => ({ 'data-testid': `ledger-account-${a.code}` }) as HTMLAttributes<HTMLElement>}
        />
      </section>

      <section aria-labelledby="ledger-tx-title" data-testid="ledger-transactions">
        <h2 id="ledger-tx-title">{s('txTitle')}</h2>
        <Table<LedgerTransaction>
          size="small"
          rowKey="id"
          columns={txColumns}
          dataSource={items}
          pagination={false}
          locale={{ emptyText: s('txEmpty') }}
          onRow={(tx) => ({ 'data-testid': `ledger-tx-${tx.id}` }) as HTMLAttributes<HTMLElement>}
          expandable={{
            expandedRowKeys: expanded as number[],
            onExpandedRowsChange: (keys) => setExpanded(keys as number[]),
            expandedRowRender: (tx) => <Postings tx={tx} s={s} accountLink={accountLink} owner={owner} />,
            expandIcon: ({ expanded: open, record, onExpand }) => (
              <Button
                size="small"
                type="text"
                className="ledger-expand"
                aria-expanded={open}
                aria-label={`${open ? '−' : '+'} ${s('postingsCaption', { id: record.id })}`}
                data-testid={`ledger-tx-expand-${record.id}`}
                onClick={(e) => onExpand(record, e)}
              >
                {open ? '−' : '+'}
              </Button>
            ),
          }}
        />
        <div className="ledger-more">
          <span className="muted small" data-testid="ledger-count">
            {nextCursor ? s('shown', { n: items.length }) : s('allShown', { n: items.length })}
          </span>
          {nextCursor && (
            <Button onClick={onLoadMore} loading={more.loading} data-testid="ledger-load-more">
              {more.loading ? s('loadingMore') : s('loadMore')}
            </Button>
          )}
          {more.problem && (
            <span className="problem small" role="alert">
              {pick(more.problem.message)}
            </span>
          )}
        </div>
      </section>
    </div>
  );
}

/** +¥1.00 / −¥1.00 (zero without a sign). */
function signed(fen: number): string {
  return fen > 0 ? `+${formatFen(fen)}` : formatFen(fen);
}

function entryLabel(entryType: string | null, pick: (m: { zh: string; en: string }) => string) {
  if (!entryType) return '—';
  const label = WALLET_TRANSACTION_LABELS[entryType as WalletTransactionType];
  return label ? pick(label) : entryType;
}

function Postings({
  tx,
  s,
  accountLink,
  owner,
}: {
  tx: LedgerTransaction;
  s: Strings;
  accountLink: (code: string) => ReactNode;
  owner: (p: LedgerPosting) => string;
}) {
  const { pick } = useT();
  const debit = tx.postings.filter((p) => p.amountFen > 0).reduce((sum, p) => sum + p.amountFen, 0);
  const credit = tx.postings.filter((p) => p.amountFen < 0).reduce((sum, p) => sum + p.amountFen, 0);
  return (
    <table className="ledger-postings" data-testid={`ledger-postings-${tx.id}`}>
      <caption>{s('postingsCaption', { id: tx.id })}</caption>
      <thead>
        <tr>
          <th scope="col">{s('colAccount')}</th>
          <th scope="col">{s('colKind')}</th>
          <th scope="col">{s('colOwner')}</th>
          <th scope="col" className="num">
            {s('colDebit')}
          </th>
          <th scope="col" className="num">
            {s('colCredit')}
          </th>
          <th scope="col" className="num">
            {s('colBalanceAfter')}
          </th>
          <th scope="col">{s('colEntry')}</th>
        </tr>
      </thead>
      <tbody>
        {tx.postings.map((p) => (
          <tr key={p.id} data-testid={`ledger-posting-${p.id}`}>
            <td>{accountLink(p.accountCode)}</td>
            <td>{pick(LEDGER_ACCOUNT_KIND_LABELS[p.accountKind])}</td>
            <td>{owner(p)}</td>
            <td className="num">{p.amountFen > 0 ? `+${formatFen(p.amountFen)}` : ''}</td>
            <td className="num">{p.amountFen < 0 ? formatFen(p.amountFen) : ''}</td>
            <td className="num">{p.balanceAfterFen === null ? '—' : formatFen(p.balanceAfterFen)}</td>
            <td>{entryLabel(p.entryType, pick)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            {s('total')}
          </th>
          <td className="num">+{formatFen(debit)}</td>
          <td className="num">{formatFen(credit)}</td>
          <td className="num" colSpan={2} data-testid={`ledger-postings-sum-${tx.id}`}>
            {formatFen(debit + credit)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
