import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { STAFF_ROLE_LABELS } from '@jiangxin/shared/permissions';
import { useState } from 'react';
import { problemOf, useBridge } from '../../bridge';
import { useT } from '../../i18n';
import { CaseList } from '../cases/CaseList';
import { OutboxPanel } from '../outbox/OutboxPanel';
import { useOutbox } from '../outbox/useOutbox';
import { SyncStatusBar } from '../status/SyncStatusBar';

/** The signed-in console: top bar (who, sync state, sign-out), the queue and the outbox. */
export function ConsolePage(props: { session: ConsoleSession; onSignedOut: () => void }) {
  const { session } = props;
  const bridge = useBridge();
  const { t, pick } = useT();
  const outbox = useOutbox();
  const [error, setError] = useState<string | null>(null);

  const logout = () => {
    bridge
      .call('auth.logout', {})
      .then(props.onSignedOut, (err: unknown) => setError(pick(problemOf(err).message)));
  };

  return (
    <div className="console">
      <header className="topbar">
        <strong className="brand">{t('appTitle')}</strong>
        <span className="who" data-testid="session-user">
          {session.nickname}
          <span className="muted"> · {session.roles.map((r) => pick(STAFF_ROLE_LABELS[r])).join('、')}</span>
        </span>
        <SyncStatusBar />
        {error && (
          <span className="problem small" role="alert">
            {error}
          </span>
        )}
        <button type="button" onClick={logout} data-testid="logout">
          {t('logout')}
        </button>
      </header>
      <main className="workspace">
        <CaseList outbox={outbox} />
        <OutboxPanel items={outbox.items} />
      </main>
    </div>
  );
}
