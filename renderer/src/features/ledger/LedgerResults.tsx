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
import { Button, Descriptions, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type HTMLAttributes, type ReactNode, useState } from 'react';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import type { useLedgerStrings } from './strings';
import { type LedgerSubject, subjectNet, sumOf } from './subject';

export type Strings = ReturnType<typeof useLedgerStrings>;

/** What the screen loaded for one subject: its accounts and the transactions read so far (newest first). */
export interface Loaded {
  subject: LedgerSubject;
  accounts: LedgerAccountsResponse;
  items: LedgerTransaction[];
  nextCursor: string | null;
}

function subjectTitle(s: Strings, subject: LedgerSubject): string {
  if ('userId' in subject) return s('subjectUser', { id: subject.userId });
  if ('orderId' in subject) return s('subjectOrder', { order: `#${subject.orderId}` });
  if ('orderNumber' in subject) return s('subjectOrder', { order: subject.orderNumber });
  return s('subjectAccount', { code: subject.account });
}

export function LedgerResults({
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
