import { BRIDGE_METHODS, type BridgeResult, type ConsoleSession } from '@jiangxin/shared/bridge';
import { fieldLimits } from '@jiangxin/shared/forms';
import { Input, Modal } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import { WithUserText } from '../../kit/UserText';
import { useShortcut } from '../../shortcuts';
import { type Hit, paletteHits } from './hits';
import { usePaletteStrings } from './strings';

type Results = BridgeResult<'search.query'>;

const DEBOUNCE_MS = 120;
/** The longest search the engine's palette query takes. */
const QUERY_MAX = fieldLimits(BRIDGE_METHODS['search.query'].args, 'q').maxLength;

/**
 * Ctrl+K: one box that finds any case (by number or text), user (by username, nickname or phone, masked
 * as staff see it) or order (by number) in the offline cache — Chinese substring search, so it works
 * through an outage. A case opens in its queue, a user on the customer page, an order on the order page.
 */
export function CommandPalette({ session }: { session: ConsoleSession }) {
  const { pick, locale } = useT();
  const s = usePaletteStrings();
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

  const hits: Hit[] = results ? paletteHits(results, session.permissions, pick, s, locale) : [];

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
              <span className="palette-label">
                <WithUserText text={hit.label} parts={hit.userParts} />
              </span>
              <span className="muted">{hit.detail}</span>
            </div>
          ))}
        </div>
        <p className="muted small">{s('hint')}</p>
      </Modal>
    </>
  );
}
