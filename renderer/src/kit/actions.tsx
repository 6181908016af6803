import type { ActionReceipt, BridgeProblem } from '@jiangxin/shared/bridge';
import type { CaseActionFields, CaseActionName } from '@jiangxin/shared/ops/actions';
import type { CaseActionOffer, CaseKind } from '@jiangxin/shared/ops/cases';
import { Button, type ButtonProps, Input } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { type ReactNode, type Ref, useId } from 'react';
import { type Outcome, useAction } from '../calls';
import { useT } from '../i18n';
import type { PerformAction } from './pane';
import './pane.css';

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
 * `run` resolves true when the action was sent or queued; `attempt` resolves with the refusal too, for a
 * dialog that shows it itself.
 */
export function usePerformAction<K extends CaseKind>(perform: PerformAction<K>) {
  const action = useAction((send: () => Promise<ActionReceipt>) => send(), { exclusive: true });
  const attempt = <A extends CaseActionName<K>>(
    name: A,
    fields: CaseActionFields<K, A>,
  ): Promise<Outcome<ActionReceipt>> => action.run(() => perform(name, fields));
  const run = async <A extends CaseActionName<K>>(name: A, fields: CaseActionFields<K, A>) =>
    (await attempt(name, fields)).ok;
  return { busy: action.busy, run, attempt };
}

/** A refusal's message in both languages (a dialog shows it beside its own fields). */
export type Refusal = BridgeProblem['message'];

/** Whether the offer exists and is possible now. */
export const canRun = (offer: CaseActionOffer | undefined): boolean => offer?.available === true;

const NOT_NOW = { zh: '当前无法执行该操作', en: 'This action is not possible now' };

/**
 * The options of a pane's key for an offered action (`useShortcut`): the key exists whenever the action is
 * offered on this screen (so the `?` list names it), and while it is not possible now it is `blocked` with
 * the core's reason — pressing it says why instead of doing nothing. `when`: the pane's own condition for
 * the action being on screen at all.
 */
export function offerShortcut(
  offer: CaseActionOffer | undefined,
  when = true,
): { enabled: boolean; blocked: { zh: string; en: string } | null } {
  return {
    enabled: when && offer !== undefined,
    blocked: offer && !offer.available ? (offer.reason ?? NOT_NOW) : null,
  };
}

/**
 * A decision that is a note and a button (request changes, dismiss a report): its own form, the note's
 * error beside it, submitted by the offered action's button. The pane keeps the state and the check.
 */
export function NoteDecisionForm(props: {
  legend: string;
  label: string;
  formTestId: string;
  noteTestId: string;
  errorTestId: string;
  submitTestId: string;
  noteRef: Ref<TextAreaRef>;
  note: string;
  /** The action's limit on the note (`fieldLimits(schema, 'note').maxLength`). */
  maxLength: number | undefined;
  onNote: (text: string) => void;
  error: string | null;
  offer: CaseActionOffer;
  busy: boolean;
  danger?: boolean;
  shortcut: string;
  submitLabel: ReactNode;
  onSubmit: () => void;
}) {
  const id = useId();
  return (
    <form
      className="decision-form"
      aria-label={props.legend}
      data-testid={props.formTestId}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <fieldset>
        <legend>{props.legend}</legend>
        <label htmlFor={id}>{props.label}</label>
        <Input.TextArea
          id={id}
          ref={props.noteRef}
          data-testid={props.noteTestId}
          value={props.note}
          maxLength={props.maxLength}
          showCount
          rows={3}
          aria-invalid={props.error !== null}
          aria-describedby={props.error ? `${id}-error` : undefined}
          onChange={(e) => props.onNote(e.target.value)}
        />
        {props.error && (
          <p id={`${id}-error`} className="form-error" role="alert" data-testid={props.errorTestId}>
            {props.error}
          </p>
        )}
        <OfferButton
          offer={props.offer}
          danger={props.danger}
          htmlType="submit"
          loading={props.busy}
          data-testid={props.submitTestId}
          aria-keyshortcuts={props.shortcut}
        >
          {props.submitLabel} <kbd>{props.shortcut.toUpperCase()}</kbd>
        </OfferButton>
      </fieldset>
    </form>
  );
}
