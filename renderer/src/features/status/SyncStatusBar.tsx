import type { SyncStatus } from '@jiangxin/shared/bridge';
import { useState } from 'react';
import { useBridgeEvent } from '../../bridge';
import { useBridgeQuery } from '../../calls';
import { formatTime } from '../../format';
import { type Translator, useT } from '../../i18n';

function stateLabel(status: SyncStatus, { t }: Translator): string {
  switch (status.state) {
    case 'offline':
      return t('syncOffline');
    case 'unavailable':
      // The core answers but cannot work now (its database is down): the cache and the outbox carry on.
      return t('syncUnavailable');
    case 'connecting':
      return t('syncConnecting');
    case 'syncing':
      if (status.snapshot) return `${t('syncSyncing')} ${status.snapshot.done}/${status.snapshot.total}`;
      return status.behindBy > 0 ? t('syncBehind', { n: status.behindBy }) : t('syncSyncing');
    case 'online':
      return status.behindBy > 0
        ? `${t('syncOnline')} · ${t('syncBehind', { n: status.behindBy })}`
        : t('syncOnline');
  }
}

/** The engine's link to the core: state, how far behind, when it last synced and why it is offline. */
export function SyncStatusBar() {
  const tr = useT();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  // Read when the page's link opens; the engine's events keep it current after that.
  const { error } = useBridgeQuery('sync.status', {}, { onData: setStatus });
  useBridgeEvent('sync.status', setStatus);

  if (!status) return <output className="sync sync-unknown">{error ?? tr.t('loading')}</output>;
  return (
    <output className={`sync sync-${status.state}`} data-testid="sync-state" data-state={status.state}>
      <span className="sync-dot" aria-hidden="true" />
      <span data-testid="sync-label">{stateLabel(status, tr)}</span>
      <span className="sync-time">
        {status.lastSyncedAt
          ? tr.t('lastSynced', { time: formatTime(status.lastSyncedAt, tr.locale) })
          : tr.t('neverSynced')}
      </span>
      {status.problem && (
        <span className="sync-problem" data-testid="sync-problem">
          {tr.pick(status.problem)}
        </span>
      )}
    </output>
  );
}
