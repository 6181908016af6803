import type { BridgeProblem } from '@jiangxin/shared/bridge';
import { Alert, Button, Empty, Input, Spin } from 'antd';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { problemOf, useBridge, useConnection } from '../../bridge';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../shell/screens';
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
