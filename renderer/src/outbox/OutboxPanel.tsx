import type { OutboxItem } from '@jiangxin/shared/bridge';
import { useState } from 'react';
import { useBridge } from '../bridge';
import { settle } from '../calls';
import { formatTime } from '../format';
import { type StringKey, useT } from '../i18n';

export const OUTBOX_STATE_LABELS: Record<OutboxItem['state'], StringKey> = {
  pending: 'outboxPending',
  sending: 'outboxSending',
  failed: 'outboxFailed',
};

/**
 * What is waiting to reach the core, with the core's refusal on failed items and retry / dismiss. Empty,
 * the panel is not drawn at all (it took a strip under the queue for nothing): only a line for screen
 * readers says nothing is waiting, and takes no space.
 */
export function OutboxPanel({ items }: { items: OutboxItem[] }) {
  const bridge = useBridge();
  const { t, pick, locale } = useT();
  const [errors, setErrors] = useState<Record<number, string>>({});

  const act = (id: number, action: 'outbox.retry' | 'outbox.dismiss') => {
    setErrors(({ [id]: _, ...rest }) => rest);
    // Each item keeps its own refusal: several may be retried at once.
    void settle(bridge.call(action, { id })).then(
      (outcome) => outcome.ok || setErrors((e) => ({ ...e, [id]: pick(outcome.problem.message) })),
    );
  };

  if (items.length === 0)
    return (
      <p className="sr-only" data-testid="outbox-empty">
        {t('outboxEmpty')}
      </p>
    );
  return (
    <section className="panel outbox" aria-labelledby="outbox-title" data-testid="outbox-panel">
      <h2 id="outbox-title">
        {t('outboxTitle')} <span className="count">({items.length})</span>
      </h2>
      <ul className="outbox-list">
        {items.map((item) => (
          <li
            key={item.id}
            className={`outbox-item outbox-${item.state}`}
            data-testid={`outbox-item-${item.id}`}
            data-state={item.state}
            data-case-id={item.caseId ?? ''}
          >
            <div className="outbox-head">
              <span className="outbox-label">{pick(item.label)}</span>
              <span className="badge" data-testid={`outbox-state-${item.id}`}>
                {t(OUTBOX_STATE_LABELS[item.state])}
              </span>
            </div>
            <div className="muted small">
              {formatTime(item.createdAt, locale)}
              {item.attempts > 0 && ` · ${t('outboxAttempts', { n: item.attempts })}`}
            </div>
            {item.problem && (
              <p className="problem" role="alert">
                {pick(item.problem.message)}
              </p>
            )}
            {errors[item.id] && (
              <p className="problem" role="alert">
                {errors[item.id]}
              </p>
            )}
            {item.state !== 'sending' && (
              <div className="outbox-actions">
                {item.state === 'failed' && (
                  <button type="button" onClick={() => act(item.id, 'outbox.retry')}>
                    {t('outboxRetry')}
                  </button>
                )}
                <button type="button" onClick={() => act(item.id, 'outbox.dismiss')}>
                  {t('outboxDismiss')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
