import { formatFen } from '@jiangxin/shared/money';
import { CASE_KIND_LABELS, type CaseSummary } from '@jiangxin/shared/ops/cases';
import { PAYMENT_PROVIDER_LABELS } from '@jiangxin/shared/ops/drilldown';
import { RECONCILIATION_MOVEMENT_LABELS, RECONCILIATION_PROBLEM_LABELS } from '@jiangxin/shared/ops/payouts';
import type { ReactNode } from 'react';
import type { TextPart } from './UserText';
import { partsNodes, TextParts } from './UserText';

/**
 * A case's title in the reader's language. The core writes one title in Chinese ("订单 JX… 纠纷：…",
 * "提现 ¥6,000.00 · 小王", "举报服务「…」"); the console builds it again from the case's kind and summary,
 * so an English reader reads English around the names and titles people typed, and those parts are
 * marked as user content. A case the console cannot rebuild shows the core's title in Chinese, and in
 * English its kind and number ("Dispute case #12"), never a code.
 */
type Lang = 'zh' | 'en';
/** A queue's case (with its summary), or a drill-down page's (its title only: the title is read). */
type Summary = Pick<CaseSummary, 'id' | 'kind' | 'title'> & {
  summary?: CaseSummary['summary'];
  amountFen?: number | null;
};

const text = (t: string): TextPart => ({ text: t, user: false });
const user = (t: string): TextPart => ({ text: t, user: true });
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const langOf = (locale: string): Lang => (locale.startsWith('zh') ? 'zh' : 'en');

/** The core's report titles: 举报服务「X」, 举报用户「X」, 举报评价 #N, 举报消息 #N. */
const REPORT_TITLE = /^举报(服务|用户|评价|消息)(?:「(.*)」| #(\d+))$/s;
const REPORT_TARGETS: Record<string, { zh: string; en: string }> = {
  服务: { zh: '服务', en: 'listing' },
  用户: { zh: '用户', en: 'user' },
  评价: { zh: '评价', en: 'review' },
  消息: { zh: '消息', en: 'message' },
};

function titleParts(c: Summary, lang: Lang): TextPart[] {
  const s = c.summary ?? {};
  switch (c.kind) {
    case 'listing_review': {
      // The listing's own title, in the reader's language when the freelancer wrote one in it.
      const title =
        lang === 'en' ? (str(s['title']) ?? str(s['titleZh'])) : (str(s['titleZh']) ?? str(s['title']));
      return [user(title ?? c.title)];
    }
    case 'support_chat':
      return [user(str(s['subject']) ?? c.title)];
    case 'dispute': {
      const read = /^订单 (\S+) 纠纷：(.*)$/s.exec(c.title);
      const number = str(s['orderNumber']) ?? read?.[1] ?? null;
      const service = str(s['serviceTitle']) ?? read?.[2] ?? null;
      if (!number || !service) break;
      return lang === 'zh'
        ? [text('订单 '), user(number), text(' 纠纷：'), user(service)]
        : [text('Dispute on order '), user(number), text(': '), user(service)];
    }
    case 'payout': {
      const read = /^提现 (¥\S+) · (.+)$/s.exec(c.title);
      const name = read?.[2];
      if (!read || !name) break;
      const amount = typeof c.amountFen === 'number' ? formatFen(c.amountFen) : read[1]!;
      return lang === 'zh'
        ? [text(`提现 ${amount} · `), user(name)]
        : [text(`Payout of ${amount} · `), user(name)];
    }
    case 'reconciliation_mismatch': {
      // From the summary, or read back from the core's title with the same label tables.
      const read = /^对账差异 (\S+) · (\S+?) (\S+) · (.+)$/s.exec(c.title);
      const byZh = <T extends string>(table: Record<T, { zh: string }>, zh: string | undefined) =>
        (Object.keys(table) as T[]).find((k) => table[k].zh === zh);
      const providers = Object.keys(PAYMENT_PROVIDER_LABELS) as (keyof typeof PAYMENT_PROVIDER_LABELS)[];
      const providerCode =
        (s['provider'] as string | undefined) ??
        providers.find((k) => read?.[2]?.startsWith(PAYMENT_PROVIDER_LABELS[k].zh));
      const provider = PAYMENT_PROVIDER_LABELS[providerCode as keyof typeof PAYMENT_PROVIDER_LABELS];
      const movementCode =
        (s['kind'] as string | undefined) ??
        (provider ? byZh(RECONCILIATION_MOVEMENT_LABELS, read?.[2]?.slice(provider.zh.length)) : undefined);
      const movement =
        RECONCILIATION_MOVEMENT_LABELS[movementCode as keyof typeof RECONCILIATION_MOVEMENT_LABELS];
      const problemCode =
        (s['problem'] as string | undefined) ?? byZh(RECONCILIATION_PROBLEM_LABELS, read?.[4]);
      const problem =
        RECONCILIATION_PROBLEM_LABELS[problemCode as keyof typeof RECONCILIATION_PROBLEM_LABELS];
      const day = str(s['day']) ?? read?.[1] ?? null;
      const reference = str(s['reference']) ?? read?.[3] ?? null;
      if (!provider || !movement || !problem || !day || !reference) break;
      return lang === 'zh'
        ? [text(`对账差异 ${day} · ${provider.zh}${movement.zh} `), user(reference), text(` · ${problem.zh}`)]
        : [
            text(`Reconciliation ${day} · ${provider.en} ${movement.en.toLowerCase()} `),
            user(reference),
            text(` · ${problem.en}`),
          ];
    }
    case 'report': {
      const m = REPORT_TITLE.exec(c.title);
      const target = m ? REPORT_TARGETS[m[1]!] : undefined;
      if (!m || !target) break;
      if (m[2] !== undefined)
        return lang === 'zh'
          ? [text(`举报${target.zh}「`), user(m[2]), text('」')]
          : [text(`Report on ${target.en} “`), user(m[2]), text('”')];
      return [text(lang === 'zh' ? `举报${target.zh} #${m[3]}` : `Report on ${target.en} #${m[3]}`)];
    }
  }
  // Not rebuilt: the core's Chinese title in Chinese; in English the kind and the case's number.
  if (lang === 'zh') return [user(c.title)];
  const kind = CASE_KIND_LABELS[c.kind]?.en ?? 'Case';
  return [text(`${kind} #${c.id}`)];
}

/** The title's parts, the user ones marked (the palette marks them in its labels). */
export const caseTitleParts = (c: Summary, locale: string): TextPart[] => titleParts(c, langOf(locale));

/** The title as plain text (exports, the palette's labels, attributes). */
export function caseTitleText(c: Summary, locale: string): string {
  return titleParts(c, langOf(locale))
    .map((p) => p.text)
    .join('');
}

/** The title on screen, with the parts people typed marked as user content. */
export function CaseTitle({ c, locale }: { c: Summary; locale: string }) {
  return <TextParts parts={titleParts(c, langOf(locale))} />;
}

/**
 * The title as a heading: a title that is all user content (a listing's, a chat's subject) is the
 * heading's own text, the heading marked; a built one has its typed parts marked inside.
 */
export function CaseTitleHeading({ c, locale, id }: { c: Summary; locale: string; id?: string }) {
  const parts = titleParts(c, langOf(locale));
  const only = parts.length === 1 ? parts[0]! : null;
  return (
    <h2 id={id} data-user-content={only?.user ? '' : undefined}>
      {only ? only.text : <TextParts parts={parts} />}
    </h2>
  );
}

/** The same as a plain function, for the queue's cells. */
export const caseTitleNodes = (c: Summary, locale: string): ReactNode =>
  partsNodes(titleParts(c, langOf(locale)));
