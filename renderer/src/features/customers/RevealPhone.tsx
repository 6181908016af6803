import { fieldLimits } from '@jiangxin/shared/forms';
import { revealBodySchema } from '@jiangxin/shared/ops/support';
import { Button, type ButtonProps, Input, Modal } from 'antd';
import { useId, useState } from 'react';
import { useBridgeMutation } from '../../calls';
import type { DrillStrings } from './strings';

/** The reason a reveal needs (the core writes it to the audit log), as `revealBodySchema` takes it. */
const REASON = fieldLimits(revealBodySchema, 'reason');

/**
 * The customer's clear phone number for a member with `pii.reveal`: asks why, then `users.reveal`
 * (audited by the core, as in the support sidebar). Others see only the masked number.
 */
export function RevealPhone({ s, userId }: { s: DrillStrings; userId: number }) {
  const reveal = useBridgeMutation('users.reveal');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [short, setShort] = useState(false);
  const [value, setValue] = useState<string | null | undefined>(undefined);
  const reasonId = useId();

  if (value !== undefined)
    return (
      <span data-testid="drill-phone-clear">
        {' '}
        {value ?? s('phoneNone')} <span className="muted">{s('revealed')}</span>
      </span>
    );

  const submit = async () => {
    const why = reason.trim();
    setShort(why.length < REASON.minLength);
    if (why.length < REASON.minLength) return;
    const outcome = await reveal.run({ userId, field: 'phone', reason: why });
    if (!outcome.ok) return;
    setValue(outcome.value.value);
    setOpen(false);
  };

  return (
    <>
      {' '}
      <Button size="small" type="link" onClick={() => setOpen(true)} data-testid="drill-reveal-phone">
        {s('reveal')}
      </Button>
      <Modal
        open={open}
        title={s('revealTitle')}
        onCancel={() => setOpen(false)}
        onOk={submit}
        okText={s('reveal')}
        cancelText={s('cancel')}
        confirmLoading={reveal.busy}
        destroyOnHidden
        okButtonProps={{ 'data-testid': 'drill-reveal-submit' } as ButtonProps}
      >
        <label htmlFor={reasonId}>{s('revealReason')}</label>
        <Input.TextArea
          id={reasonId}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={REASON.maxLength}
          rows={2}
          data-testid="drill-reveal-reason"
        />
        {(short || reveal.error) && (
          <p className="problem" role="alert" data-testid="drill-reveal-problem">
            {short ? s('revealReasonShort') : reveal.error}
          </p>
        )}
      </Modal>
    </>
  );
}
