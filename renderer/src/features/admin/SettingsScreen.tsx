import { fieldLimits } from '@jiangxin/shared/forms';
import { formatFen, yuanToFen } from '@jiangxin/shared/money';
import { CASE_KIND_LABELS, CASE_KINDS, type CaseKind } from '@jiangxin/shared/ops/cases';
import {
  type OpsSettings,
  type OpsSettingsPatch,
  opsSettingsPatchSchema,
  opsSettingsSchema,
} from '@jiangxin/shared/ops/settings';
import { Alert, Button, Input, Spin } from 'antd';
import { type FormEvent, useId, useState } from 'react';
import { useBridgeMutation, useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import './admin.css';
import { type AdminStrings, useAdminStrings } from './strings';

const MONEY_FIELDS = [
  'payoutSecondApprovalFen',
  'disputeSecondApprovalFen',
  'withdrawalMinFen',
  'withdrawalMaxFen',
] as const;
type MoneyField = (typeof MONEY_FIELDS)[number];
const MONEY_LABEL: Record<MoneyField, Parameters<AdminStrings>[0]> = {
  payoutSecondApprovalFen: 'payoutSecondApproval',
  disputeSecondApprovalFen: 'disputeSecondApproval',
  withdrawalMinFen: 'withdrawalMin',
  withdrawalMaxFen: 'withdrawalMax',
};
const MONEY_HELP: Partial<Record<MoneyField, Parameters<AdminStrings>[0]>> = {
  payoutSecondApprovalFen: 'payoutSecondApprovalHelp',
  disputeSecondApprovalFen: 'disputeSecondApprovalHelp',
};

/** The thresholds as the form holds them: yuan strings, hours, and SLA as hours + minutes per kind. */
export interface SettingsFormValues {
  money: Record<MoneyField, string>;
  disputeEvidenceHours: string;
  sla: Record<CaseKind, { hours: string; minutes: string }>;
}
type SettingsErrors = Partial<Record<MoneyField | 'disputeEvidenceHours' | CaseKind, string>>;

/** The core's ranges (`opsSettingsSchema`): the evidence period in hours, each kind's SLA in minutes. */
const EVIDENCE_HOURS = fieldLimits(opsSettingsPatchSchema, 'disputeEvidenceHours');
const EVIDENCE_MIN = EVIDENCE_HOURS.minimum ?? 1;
const EVIDENCE_MAX = EVIDENCE_HOURS.maximum ?? 24 * 30;
const SLA_MINUTES = opsSettingsSchema.shape.slaMinutes.valueType;
const MIN_SLA_MINUTES = SLA_MINUTES.minValue ?? 1;
const MAX_SLA_MINUTES = SLA_MINUTES.maxValue ?? 60 * 24 * 60;
const WHOLE = /^\d{1,7}$/;

/** "¥5,000.00", "5000", "5,000.5" → fen, exactly (string arithmetic); null when it is not an amount. */
export function parseYuanInput(input: string): number | null {
  let text = input.trim().replace(/^[¥￥]\s*/, '');
  if (text.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(text)) return null;
    text = text.replace(/,/g, '');
  }
  return yuanToFen(text);
}

/** 500000 → "5,000.00" */
function yuanText(fen: number): string {
  return formatFen(fen, { symbol: false });
}

export function settingsToForm(v: OpsSettings): SettingsFormValues {
  return {
    money: Object.fromEntries(MONEY_FIELDS.map((f) => [f, yuanText(v[f])])) as Record<MoneyField, string>,
    disputeEvidenceHours: String(v.disputeEvidenceHours),
    sla: Object.fromEntries(
      CASE_KINDS.map((k) => {
        const total = v.slaMinutes[k] ?? 0;
        return [k, { hours: String(Math.floor(total / 60)), minutes: String(total % 60) }];
      }),
    ) as SettingsFormValues['sla'],
  };
}

/**
 * Checks the form and returns what changed against `loaded` as an `opsSettingsPatch` (fen, minutes),
 * or the problems by field. Nothing changed → an empty patch.
 */
export function settingsPatch(
  form: SettingsFormValues,
  loaded: OpsSettings,
  s: AdminStrings,
  pick: (m: { zh: string; en: string }) => string,
): { patch: OpsSettingsPatch } | { errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const patch: OpsSettingsPatch = {};
  const fen: Partial<Record<MoneyField, number>> = {};
  for (const f of MONEY_FIELDS) {
    const value = parseYuanInput(form.money[f]);
    if (value === null) errors[f] = s('yuanInvalid');
    else {
      fen[f] = value;
      if (value !== loaded[f]) patch[f] = value;
    }
  }
  if (
    fen.withdrawalMinFen !== undefined &&
    fen.withdrawalMaxFen !== undefined &&
    fen.withdrawalMinFen > fen.withdrawalMaxFen
  )
    errors.withdrawalMinFen = s('minAboveMax');
  const hours = form.disputeEvidenceHours.trim();
  if (!WHOLE.test(hours) || Number(hours) < EVIDENCE_MIN || Number(hours) > EVIDENCE_MAX)
    errors.disputeEvidenceHours = s('evidenceHoursInvalid', { min: EVIDENCE_MIN, max: EVIDENCE_MAX });
  else if (Number(hours) !== loaded.disputeEvidenceHours) patch.disputeEvidenceHours = Number(hours);
  const sla: Partial<Record<CaseKind, number>> = {};
  for (const k of CASE_KINDS) {
    const h = form.sla[k].hours.trim() || '0';
    const m = form.sla[k].minutes.trim() || '0';
    const total = Number(h) * 60 + Number(m);
    if (
      !WHOLE.test(h) ||
      !WHOLE.test(m) ||
      Number(m) > 59 ||
      total < MIN_SLA_MINUTES ||
      total > MAX_SLA_MINUTES
    ) {
      errors[k] = s('slaInvalid', {
        kind: pick(CASE_KIND_LABELS[k]),
        min: MIN_SLA_MINUTES,
        days: MAX_SLA_MINUTES / (24 * 60),
      });
    } else if (total !== loaded.slaMinutes[k]) sla[k] = total;
  }
  if (Object.keys(sla).length) patch.slaMinutes = sla;
  return Object.keys(errors).length ? { errors } : { patch };
}

/**
 * Thresholds: the maker-checker amounts (entered in yuan, sent in fen), withdrawal limits, the dispute
 * evidence period and the SLA of each kind of case (hours and minutes). Only what changed is sent.
 */
export function SettingsScreen(_props: WorkspaceScreenProps) {
  const { pick } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const [form, setForm] = useState<SettingsFormValues | null>(null);
  const [saved, setSaved] = useState<OpsSettings | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [checkProblem, setCheckProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // What the core holds: read (again on Reload), or what the last save answered; the form follows it.
  const read = useBridgeQuery(
    'settings.get',
    {},
    {
      onData: (v) => {
        setSaved(null);
        setForm(settingsToForm(v));
        setErrors({});
      },
    },
  );
  const update = useBridgeMutation('settings.update');
  const loaded = saved ?? read.data ?? null;
  const problem = checkProblem ?? update.error ?? read.error;
  const busy = update.busy;
  const load = () => {
    setCheckProblem(null);
    update.reset();
    read.reload();
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form || !loaded) return;
    setNotice(null);
    setCheckProblem(null);
    update.reset();
    const result = settingsPatch(form, loaded, s, pick);
    if ('errors' in result) {
      setErrors(result.errors);
      setCheckProblem(s('fixErrors'));
      return;
    }
    setErrors({});
    if (Object.keys(result.patch).length === 0) {
      setNotice(s('nothingChanged'));
      return;
    }
    const outcome = await update.run(result.patch);
    if (!outcome.ok) return;
    setSaved(outcome.value);
    setForm(settingsToForm(outcome.value));
    setNotice(s('settingsSaved'));
  };

  const errorOf = (key: keyof SettingsErrors, id: string) =>
    errors[key] ? (
      <span id={`${id}-error`} className="field-error" role="alert">
        {errors[key]}
      </span>
    ) : null;

  const moneyField = (f: MoneyField) => {
    const id = `${ids}-${f}`;
    const help = MONEY_HELP[f];
    const described = [help ? `${id}-help` : null, errors[f] ? `${id}-error` : null]
      .filter(Boolean)
      .join(' ');
    return (
      <div className="admin-field" key={f}>
        <label htmlFor={id}>{s(MONEY_LABEL[f])}</label>
        <Input
          id={id}
          prefix="¥"
          inputMode="decimal"
          value={form?.money[f] ?? ''}
          status={errors[f] ? 'error' : undefined}
          aria-invalid={errors[f] ? true : undefined}
          aria-describedby={described || undefined}
          onChange={(e) => form && setForm({ ...form, money: { ...form.money, [f]: e.target.value } })}
          data-testid={`settings-${f}`}
        />
        {help && (
          <span id={`${id}-help`} className="field-help">
            {s(help)}
          </span>
        )}
        {errorOf(f, id)}
      </div>
    );
  };

  return (
    <main className="admin-screen" data-testid="settings-screen">
      <h1>{s('settingsTitle')}</h1>
      <p className="muted">{s('settingsIntro')}</p>
      {problem && <Alert type="error" showIcon role="alert" title={problem} />}
      {notice && <Alert type="success" showIcon role="status" title={notice} data-testid="settings-notice" />}
      {!form ? (
        problem ? (
          <Button onClick={load}>{s('reload')}</Button>
        ) : (
          <Spin aria-label={s('loading')} />
        )
      ) : (
        <form className="settings-form" onSubmit={save} noValidate data-testid="settings-form">
          <fieldset>
            <legend>{s('moneyGroup')}</legend>
            <div className="settings-grid">{MONEY_FIELDS.map(moneyField)}</div>
            <div className="admin-field">
              <label htmlFor={`${ids}-evidence`}>{s('evidenceHours')}</label>
              <Input
                id={`${ids}-evidence`}
                inputMode="numeric"
                value={form.disputeEvidenceHours}
                status={errors.disputeEvidenceHours ? 'error' : undefined}
                aria-invalid={errors.disputeEvidenceHours ? true : undefined}
                aria-describedby={errors.disputeEvidenceHours ? `${ids}-evidence-error` : undefined}
                onChange={(e) => setForm({ ...form, disputeEvidenceHours: e.target.value })}
                style={{ maxWidth: 160 }}
                data-testid="settings-disputeEvidenceHours"
              />
              {errorOf('disputeEvidenceHours', `${ids}-evidence`)}
            </div>
          </fieldset>
          <fieldset>
            <legend>{s('slaGroup')}</legend>
            <div className="settings-sla">
              {CASE_KINDS.map((k) => {
                const id = `${ids}-sla-${k}`;
                const kind = pick(CASE_KIND_LABELS[k]);
                const described = errors[k] ? `${id}-error` : undefined;
                const set = (part: 'hours' | 'minutes', value: string) =>
                  setForm({ ...form, sla: { ...form.sla, [k]: { ...form.sla[k], [part]: value } } });
                return (
                  <div key={k} className="settings-sla-row" style={{ display: 'contents' }}>
                    <span id={`${id}-label`}>{kind}</span>
                    <Input
                      aria-label={s('slaHours', { kind })}
                      inputMode="numeric"
                      suffix={s('hours')}
                      value={form.sla[k].hours}
                      status={errors[k] ? 'error' : undefined}
                      aria-invalid={errors[k] ? true : undefined}
                      aria-describedby={described}
                      onChange={(e) => set('hours', e.target.value)}
                      data-testid={`settings-sla-${k}-hours`}
                    />
                    <Input
                      aria-label={s('slaMinutes', { kind })}
                      inputMode="numeric"
                      suffix={s('minutes')}
                      value={form.sla[k].minutes}
                      status={errors[k] ? 'error' : undefined}
                      aria-invalid={errors[k] ? true : undefined}
                      aria-describedby={described}
                      onChange={(e) => set('minutes', e.target.value)}
                      data-testid={`settings-sla-${k}-minutes`}
                    />
                    {errors[k] && (
                      <span id={`${id}-error`} className="field-error settings-sla-error" role="alert">
                        {errors[k]}
                      </span>
                    )}
                  </div>
                );
              })}
            </div>
          </fieldset>
          <div className="admin-toolbar">
            <Button type="primary" htmlType="submit" loading={busy} data-testid="settings-save">
              {busy ? s('saving') : s('save')}
            </Button>
            <Button onClick={load} disabled={busy}>
              {s('reload')}
            </Button>
          </div>
        </form>
      )}
    </main>
  );
}
