import type { CaseHistoryEntry, CaseKind } from '@jiangxin/shared/ops/cases';
import { Button, Timeline } from 'antd';
import { useId, useState } from 'react';
import { formatDateTime } from '../format';
import { useT } from '../i18n';
import { caseHistorySentence, caseHistoryUserParts, statusWords } from './audit-sentences';
import { WithUserText } from './UserText';

const WORDS = {
  details: { zh: '详情', en: 'Details' },
  hide: { zh: '收起详情', en: 'Hide details' },
} as const;
const PRE_STYLE = {
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-all',
  fontSize: 12,
  margin: '4px 0 0',
} as const;

/**
 * A case's history as a timeline of sentences in the member's language — "审核小王 驳回了 服务审核工单 #12：
 * 包含联系方式", "The system: payout case #9 was paid out" — each with its status change in words and its
 * local time; the raw line (action code, data) only behind its 详情 / Details toggle.
 */
export function CaseTimeline({
  caseId,
  kind,
  history,
}: {
  caseId: number;
  kind: CaseKind;
  history: readonly CaseHistoryEntry[];
}) {
  const { locale, pick } = useT();
  const ids = useId();
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <Timeline
      data-testid="case-timeline"
      items={history.map((h) => {
        const from = statusWords(h.fromStatus, locale);
        const to = statusWords(h.toStatus, locale);
        const shown = open.has(h.id);
        const detailsId = `${ids}-${h.id}`;
        return {
          key: h.id,
          children: (
            <div className="case-timeline-item" data-testid={`case-history-${h.id}`}>
              <span data-testid={`case-history-sentence-${h.id}`}>
                <WithUserText
                  text={caseHistorySentence(h, { id: caseId, kind }, locale)}
                  parts={caseHistoryUserParts(h, locale)}
                />
              </span>
              {from && to && from !== to && <span className="muted"> · {`${from} → ${to}`}</span>}
              <span className="muted"> · {formatDateTime(h.at, locale)}</span>
              <Button
                type="link"
                size="small"
                aria-expanded={shown}
                aria-controls={shown ? detailsId : undefined}
                onClick={() => toggle(h.id)}
                data-testid={`case-history-toggle-${h.id}`}
              >
                {pick(shown ? WORDS.hide : WORDS.details)}
              </Button>
              {shown && (
                <pre
                  id={detailsId}
                  className="case-timeline-data"
                  style={PRE_STYLE}
                  data-testid={`case-history-details-${h.id}`}
                >
                  {JSON.stringify({ action: h.action, note: h.note, data: h.data }, null, 2)}
                </pre>
              )}
            </div>
          ),
        };
      })}
    />
  );
}
