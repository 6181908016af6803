import { DEFAULT_OPS_SETTINGS, type OpsSettings, type OpsSettingsPatch } from '@jiangxin/shared/ops/settings';
import type { ReadDb, Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';

/** The ops settings in force: stored values over the defaults. One small read; callers in a tx pass it. */
export async function getOpsSettings(db: ReadDb | Tx): Promise<OpsSettings> {
  const rows = await db.selectFrom('ops_settings').select(['key', 'value']).execute();
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value])) as Partial<OpsSettings>;
  return {
    ...DEFAULT_OPS_SETTINGS,
    ...stored,
    slaMinutes: { ...DEFAULT_OPS_SETTINGS.slaMinutes, ...(stored.slaMinutes ?? {}) },
  };
}

/** Applies a partial update after checking the result is coherent; audited with before and after. */
export async function updateOpsSettings(
  tx: Tx,
  at: Date,
  actorId: number,
  patch: OpsSettingsPatch,
): Promise<OpsSettings> {
  const before = await getOpsSettings(tx);
  const after: OpsSettings = {
    ...before,
    ...(patch as Partial<OpsSettings>),
    slaMinutes: { ...before.slaMinutes, ...(patch.slaMinutes ?? {}) },
  };
  if (after.withdrawalMinFen > after.withdrawalMaxFen)
    throw new AppError(
      'settings_invalid',
      { zh: '最低提现金额不能高于最高提现金额', en: 'The withdrawal minimum must not exceed the maximum' },
      undefined,
      [{ field: 'body.withdrawalMinFen', message: 'must not exceed withdrawalMaxFen' }],
    );
  for (const key of Object.keys(patch) as (keyof OpsSettings)[]) {
    await tx
      .insertInto('ops_settings')
      .values({ key, value: JSON.stringify(after[key]), updated_by: actorId, updated_at: at })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value: JSON.stringify(after[key]), updated_by: actorId, updated_at: at }),
      )
      .execute();
  }
  await appendAudit(tx, at, {
    actorId,
    action: 'settings.update',
    subjectType: 'settings',
    subjectId: null,
    data: { patch, before: pick(before, patch), after: pick(after, patch) },
  });
  return after;
}

function pick(s: OpsSettings, patch: OpsSettingsPatch): Record<string, unknown> {
  return Object.fromEntries(Object.keys(patch).map((k) => [k, s[k as keyof OpsSettings]]));
}
