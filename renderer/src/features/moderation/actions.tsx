import type { CaseActionOffer } from '@jiangxin/shared/ops/cases';
import { Button, type ButtonProps } from 'antd';
import { useId, useState } from 'react';
import { useT } from '../../i18n';
import type { CasePaneProps } from '../cases/pane';
import './moderation.css';

/**
 * A kind action's button as the core offers it: absent when the member may not take the action at all,
 * disabled with the core's reason beside it when it is not possible now (someone else holds the case, a
 * proposal awaits approval …).
 */
export function OfferButton({
  offer,
  disabled,
  ...props
}: { offer: CaseActionOffer | undefined } & Omit<ButtonProps, 'aria-describedby'>) {
  const { pick } = useT();
  const reasonId = useId();
  if (!offer) return null;
  const reason = !offer.available && offer.reason ? pick(offer.reason) : null;
  return (
    <span className="offer-button">
      <Button
        {...props}
        disabled={disabled || !offer.available}
        aria-describedby={reason ? reasonId : undefined}
      />
      {reason && (
        <span id={reasonId} className="offer-reason" data-testid="offer-reason">
          {reason}
        </span>
      )}
    </span>
  );
}

/**
 * Runs a case action through the frame's `perform`, one at a time (`busy`). A refusal is shown by the
 * frame (with the core's reason); the pane only keeps its form as it was, so nothing typed is lost.
 * Resolves true when the action was sent or queued.
 */
export function usePerformAction(perform: CasePaneProps['perform']) {
  const [busy, setBusy] = useState(false);
  const run = async (action: string, fields: Record<string, unknown> = {}): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    try {
      await perform(action, fields);
      return true;
    } catch {
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}

/** Whether the offer exists and is possible now (a keyboard shortcut is registered only then). */
export const canRun = (offer: CaseActionOffer | undefined): boolean => offer?.available === true;
