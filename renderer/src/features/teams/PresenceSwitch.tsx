import { PRESENCE_STATUS_LABELS, type PresenceStatus } from '@jiangxin/shared/ops/routing';
import { Segmented, Tooltip } from 'antd';
import { useState } from 'react';
import { useBridgeMutation, useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import { useTeamsStrings } from './strings';
import './teams.css';

/**
 * The member's own 在线 / 离开 switch for the console header: online, their teams assign new cases to
 * them (and coming online, the cases waiting in the queue); away, they receive none and the cases they
 * have not worked on are handed on (the core says how many either way). Needs the core: offline it shows the last known status, disabled.
 *
 * Mounted once in the header (it reads and writes through the bridge itself); hidden for a member of no team.
 */
export function PresenceSwitch() {
  const { pick } = useT();
  const s = useTeamsStrings();
  const current = useBridgeQuery('presence.get', {});
  const set = useBridgeMutation('presence.set', { exclusive: true });
  const [status, setStatus] = useState<PresenceStatus | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const shown = status ?? current.data?.status ?? null;

  const change = async (next: PresenceStatus) => {
    setSaid(null);
    const outcome = await set.run({ status: next });
    if (!outcome.ok) return;
    setStatus(outcome.value.status);
    setSaid(
      next === 'online'
        ? outcome.value.received > 0
          ? s('cameOnlineReceived', { n: outcome.value.received })
          : s('cameOnline')
        : outcome.value.reassigned > 0
          ? s('wentAway', { n: outcome.value.reassigned })
          : s('wentAwayNone'),
    );
  };

  // A member of no team has nothing routed to them: the switch would mean nothing.
  if (current.data && current.data.teams.length === 0) return null;

  return (
    <span className="presence-switch" data-testid="presence-switch">
      <Tooltip title={shown === 'online' ? s('presenceHintOnline') : s('presenceHintAway')}>
        <Segmented<PresenceStatus>
          size="small"
          aria-label={s('presenceLabel')}
          value={shown ?? 'away'}
          disabled={shown === null || set.busy}
          onChange={(v) => void change(v)}
          options={(['online', 'away'] as const).map((v) => ({
            value: v,
            label: <span data-testid={`presence-${v}`}>{pick(PRESENCE_STATUS_LABELS[v])}</span>,
          }))}
        />
      </Tooltip>
      <output className="sr-only" aria-live="polite" data-testid="presence-said">
        {said ?? ''}
      </output>
      {(set.error ?? current.error) && (
        <span className="presence-error" role="alert" data-testid="presence-error">
          {set.error ?? current.error}
        </span>
      )}
    </span>
  );
}
