import { Alert, Button, Empty, Input, Spin } from 'antd';
import { type FormEvent, useId, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useBridge } from '../../bridge';
import { useAction, useQuery } from '../../calls';
import { paren, useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import './ledger.css';
import { LedgerResults, type Loaded } from './LedgerResults';
import { useLedgerStrings } from './strings';
import {
  type FilterInputs,
  type FilterProblem,
  inputsFromParams,
  type LedgerSubject,
  parseLedgerFilter,
  subjectFromParams,
  subjectParams,
} from './subject';

const PAGE_SIZE = 20;

/** Account codes as examples, each with its meaning in words. */
const ACCOUNT_EXAMPLES = [
  ['user:12:available', 'exampleUserAvailable'],
  ['order:7:escrow', 'exampleOrderEscrow'],
  ['platform:fees', 'examplePlatformFees'],
] as const;

/**
 * The ledger explorer (finance): one user's, order's or account's accounts with balances, and its
 * journal transactions newest first, each expandable to its postings with the debit/credit sides and
 * their sum (always ¥0.00 in a sound ledger). The filter lives in the route (`?userId=12`), so a view can
 * be linked and survives a reload. Everything comes from the core: offline, the screen says so.
 */
export function LedgerScreen(_props: WorkspaceScreenProps) {
  const bridge = useBridge();
  const { pick, locale } = useT();
  const s = useLedgerStrings();
  const [params, setParams] = useSearchParams();
  const applied = subjectFromParams(params);
  const appliedKey = applied ? JSON.stringify(applied) : '';
  const [inputs, setInputs] = useState<FilterInputs>(() => inputsFromParams(params));
  const [inputProblem, setInputProblem] = useState<FilterProblem | null>(null);
  // Older pages of the subject on screen, as "load more" brings them.
  const [older, setOlder] = useState<{
    key: string;
    items: Loaded['items'];
    nextCursor: string | null;
  } | null>(null);
  const ids = { user: useId(), order: useId(), account: useId(), problem: useId() };

  // The subject's accounts and newest transactions; the last subject stays on screen while the next loads.
  const read = useQuery<Loaded>(
    applied
      ? async () => {
          const [accounts, page] = await Promise.all([
            bridge.call('ledger.accounts', applied),
            bridge.call('ledger.transactions', { ...applied, limit: PAGE_SIZE }),
          ]);
          return { subject: applied, accounts, items: page.items, nextCursor: page.nextCursor };
        }
      : null,
    appliedKey,
    { keepPreviousData: true, onData: () => setOlder(null) },
  );
  const loading = read.loading;
  // A failed read shows its problem (and no results) until the next answer; a retry shows the spinner.
  const problem = loading ? null : read.problem;
  const first = read.problem ? null : (read.data ?? null);
  const more = useAction((subject: LedgerSubject, cursor: string) =>
    bridge.call('ledger.transactions', { ...subject, limit: PAGE_SIZE, cursor }),
  );
  const firstKey = first ? JSON.stringify(first.subject) : '';
  const extra = older?.key === firstKey ? older : null;
  const loaded: Loaded | null = first && {
    ...first,
    items: extra ? [...first.items, ...extra.items] : first.items,
    nextCursor: extra ? extra.nextCursor : first.nextCursor,
  };

  const search = (e?: FormEvent) => {
    e?.preventDefault();
    const parsed = parseLedgerFilter(inputs);
    if ('problem' in parsed) {
      setInputProblem(parsed.problem);
      return;
    }
    setInputProblem(null);
    if (JSON.stringify(parsed.subject) === appliedKey) read.reload();
    else setParams(subjectParams(parsed.subject));
  };

  /** Pivots to one account (from a row's account code). */
  const showAccount = (code: string) => {
    setInputs({ userId: '', order: '', account: code });
    setInputProblem(null);
    setParams({ account: code });
  };

  const loadMore = async () => {
    if (!loaded?.nextCursor || more.busy) return;
    const key = firstKey;
    const outcome = await more.run(loaded.subject, loaded.nextCursor);
    if (!outcome.ok) return;
    setOlder((o) => ({
      key,
      items: [...(o?.key === key ? o.items : []), ...outcome.value.items],
      nextCursor: outcome.value.nextCursor,
    }));
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
            aria-describedby={
              inputProblem ? `${ids.problem} ${ids.account}-examples` : `${ids.account}-examples`
            }
            data-testid="ledger-filter-account"
          />
          {/* The codes are what is typed (translate="no": identifiers, shown on purpose), each said in words. */}
          <span id={`${ids.account}-examples`} className="muted small ledger-account-examples">
            {s('accountExamples')}{' '}
            {ACCOUNT_EXAMPLES.map(([code, words], at) => (
              <span key={code}>
                {at > 0 && (locale === 'en' ? '; ' : '；')}
                <code translate="no">{code}</code>
                {paren(locale, s(words))}
              </span>
            ))}
          </span>
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
            <Button onClick={read.reload} data-testid="ledger-retry">
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
          onLoadMore={() => void loadMore()}
          more={{ loading: more.busy, problem: more.problem }}
          busy={loading}
        />
      )}
    </main>
  );
}
