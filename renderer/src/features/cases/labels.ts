import type { CaseFlag, CaseStatus } from '@jiangxin/shared/ops/cases';
import type { StringKey } from '../../i18n';

export const STATUS_LABELS: Record<CaseStatus, StringKey> = {
  open: 'statusOpen',
  waiting: 'statusWaiting',
  resolved: 'statusResolved',
};

export const CASE_FLAG_LABELS: Record<CaseFlag, { zh: string; en: string }> = {
  contact_leak: { zh: '联系方式外泄', en: 'Contact leak' },
  prohibited_word: { zh: '违禁词', en: 'Prohibited word' },
  maker_checker: { zh: '需双人审批', en: 'Two approvals' },
  second_approval_pending: { zh: '待第二人审批', en: 'Awaiting 2nd approval' },
  sla_breached: { zh: '已超时', en: 'SLA breached' },
  risk: { zh: '风险', en: 'Risk' },
  reopened: { zh: '重新打开', en: 'Reopened' },
};
