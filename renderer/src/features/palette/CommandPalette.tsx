import { BRIDGE_METHODS, type BridgeResult, type ConsoleSession } from '@jiangxin/shared/bridge';
import { workspacesFor } from '@jiangxin/shared/console/workspaces';
import { fieldLimits } from '@jiangxin/shared/forms';
import { CASE_KIND_LABELS } from '@jiangxin/shared/ops/cases';
import { Input, Modal } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useBridgeQuery } from '../../calls';
import { formatFen } from '../../format';
import { defineStrings, useT } from '../../i18n';
import { useShortcut } from '../../shortcuts';

const useStrings = defineStrings(
  'palette',
  {
    title: '查找工单、用户、订单',
    placeholder: '输入编号、标题、用户名或订单号（支持中文）',
    cases: '工单',
    users: '用户',
    orders: '订单',
    none: '本地缓存中没有匹配的结果',
    hint: '↑↓ 选择 · Enter 打开 · Esc 关闭',
    open: '打开查找（Ctrl+K）',
    noLedger: '无账务查看权限',
  },
  {
    title: 'Find a case, user or order',
    placeholder: 'Type a number, a title, a username or an order number',
    cases: 'Cases',
    users: 'Users',
    orders: 'Orders',
    none: 'Nothing in the local cache matches',
    hint: '↑↓ to choose · Enter to open · Esc to close',
    open: 'Find (Ctrl+K)',
    noLedger: 'No permission to view the ledger',
  },
);

type Results = BridgeResult<'search.query'>;
interface Hit {
  key: string;
  group: 'cases' | 'users' | 'orders';
  label: string;
  detail: string;
  to: string | null;
}

const DEBOUNCE_MS = 120;
/** The longest search the engine's palette query takes. */
const QUERY_MAX = fieldLimits(BRIDGE_METHODS['search.query'].args, 'q').maxLength;

/**
 * Ctrl+K: one box that finds any case, user or order in the offline cache (Chinese substring search,
 * so it works through an outage). A case opens in its queue; a user or an order opens the ledger
 * explorer on it, for those who may see it.
 */
export function CommandPalette({ session }: { session: ConsoleSession }) {
  const { pick } = useT();
  const s = useStrings();
  const navigate = useNavigate();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);

  useShortcut('mod+k', () => setOpen(true), { zh: '查找工单、用户、订单', en: 'Find a case, user or order' });

  // The cache is asked once typing pauses; the last results stay until the new ones arrive.
  useEffect(() => {
    const typed = text.trim();
    if (typed === '') return setQ('');
    const timer = setTimeout(() => setQ(typed), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const typed = open && text.trim() !== '';
  const search = useBridgeQuery('search.query', typed && q ? { q, limit: 8 } : null, {
    keepPreviousData: true,
    onData: () => setActive(0),
  });
  const results: Results | null = typed ? (search.data ?? null) : null;
  const error = typed ? search.error : null;

  const workspaces = workspacesFor(session.permissions);
  const ledger = session.permissions.includes('ledger.view');
  const hits: Hit[] = results
    ? [
        ...results.cases.map((c) => {
          const ws = workspaces.find((w) => w.caseKinds?.includes(c.kind));
          return {
            key: `c${c.id}`,
            group: 'cases' as const,
            label: `#${c.id} ${c.title}`,
            detail: pick(CASE_KIND_LABELS[c.kind]),
            to: ws ? `${ws.path}/${c.id}` : null,
          };
        }),
        ...results.users.map((u) => ({
          key: `u${u.id}`,
          group: 'users' as const,
          label: `${u.nickname}（${u.username}）`,
          detail: ledger ? `#${u.id}` : s('noLedger'),
          to: ledger ? `/finance/ledger?userId=${u.id}` : null,
        })),
        ...results.orders.map((o) => ({
          key: `o${o.id}`,
          group: 'orders' as const,
          label: o.orderNumber,
          detail: `${o.status} · ${formatFen(o.amountFen)}`,
          to: ledger ? `/finance/ledger?orderId=${o.id}` : null,
        })),
      ]
    : [];

  const close = () => {
    setOpen(false);
    setText('');
  };
  const go = (hit: Hit | undefined) => {
    if (!hit?.to) return;
    navigate(hit.to);
    close();
  };

  return (
    <>
      <button
        type="button"
        className="palette-button"
        onClick={() => setOpen(true)}
        data-testid="palette-open"
      >
        {s('open')}
      </button>
      <Modal open={open} onCancel={close} footer={null} title={s('title')} destroyOnHidden width={640}>
        <Input
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={s('placeholder')}
          aria-label={s('placeholder')}
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-activedescendant={hits[active] ? `${listId}-${hits[active].key}` : undefined}
          data-testid="palette-input"
          maxLength={QUERY_MAX}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.min(hits.length - 1, i + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(0, i - 1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              go(hits[active]);
            }
          }}
        />
        {error && (
          <p className="problem" role="alert">
            {error}
          </p>
        )}
        {results && hits.length === 0 && <p className="muted">{s('none')}</p>}
        <div
          id={listId}
          role="listbox"
          aria-label={s('title')}
          className="palette-results"
          data-testid="palette-results"
        >
          {hits.map((hit, i) => (
            <div
              key={hit.key}
              tabIndex={-1}
              id={`${listId}-${hit.key}`}
              role="option"
              aria-selected={i === active}
              aria-disabled={hit.to === null}
              className={`palette-hit${i === active ? ' active' : ''}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => go(hit)}
              onKeyDown={() => {}}
              data-testid={`palette-hit-${hit.key}`}
            >
              <span className="palette-group">{s(hit.group)}</span>
              <span className="palette-label">{hit.label}</span>
              <span className="muted">{hit.detail}</span>
            </div>
          ))}
        </div>
        <p className="muted small">{s('hint')}</p>
      </Modal>
    </>
  );
}
