import { z } from 'zod';
import { fenSchema } from '../money';
import { type CaseKind, caseKindSchema } from './cases';

/**
 * Operational thresholds admins change at run time (`PUT /ops/settings`, permission `config.manage`,
 * audited). Stored as one JSON document per key; anything not stored falls back to these defaults.
 */
export const DEFAULT_OPS_SETTINGS = {
  /** Time staff have to finish a case of each kind before it counts as an SLA breach. */
  slaMinutes: {
    listing_review: 24 * 60,
    report: 24 * 60,
    dispute: 72 * 60,
    payout: 24 * 60,
    support_chat: 30,
    reconciliation_mismatch: 48 * 60,
  } satisfies Record<CaseKind, number>,
  /** Withdrawals above this need two different finance staff (¥5,000). */
  payoutSecondApprovalFen: 500_000,
  /** Dispute resolutions moving more than this need a second staff approval (¥5,000). */
  disputeSecondApprovalFen: 500_000,
  withdrawalMinFen: 1_000,
  withdrawalMaxFen: 5_000_000,
  /** How long parties may add evidence after a dispute opens. */
  disputeEvidenceHours: 72,
};
export type OpsSettings = typeof DEFAULT_OPS_SETTINGS;

const slaMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 60);
const settingsFields = {
  payoutSecondApprovalFen: fenSchema,
  disputeSecondApprovalFen: fenSchema,
  withdrawalMinFen: fenSchema,
  withdrawalMaxFen: fenSchema,
  disputeEvidenceHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
};

export const opsSettingsSchema = z.object({
  slaMinutes: z.record(caseKindSchema, slaMinutesSchema),
  ...settingsFields,
});

/** A partial update; every field optional (SLA per kind too), and min ≤ max is checked by the core. */
export const opsSettingsPatchSchema = z
  .object({ slaMinutes: z.partialRecord(caseKindSchema, slaMinutesSchema), ...settingsFields })
  .partial()
  .strict();
export type OpsSettingsPatch = z.infer<typeof opsSettingsPatchSchema>;

export const SETTINGS_ERRORS = {
  settings_invalid: { status: 400, zh: '配置不合法', en: 'The settings are invalid' },
} as const;
