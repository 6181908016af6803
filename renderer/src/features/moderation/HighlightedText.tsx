import {
  type FieldHits,
  SCAN_HIT_KIND_LABELS,
  SCAN_HIT_KINDS,
  type ScanHit,
  type ScanHitKind,
} from '@jiangxin/shared/ops/moderation';
import { useT } from '../../i18n';
import { UserText } from '../../kit/UserText';
import { segmentText } from './highlight';
import { useModerationStrings } from './strings';
import './moderation.css';

/**
 * Text with the scanner's hits marked in place. Each hit is a `<mark>` whose title names the kind and
 * the match, followed by a visible tag with the kind (手机号, 微信号 …), so the meaning never rests on the
 * colour alone. `data-kind` carries the kind for tests and styles. The text itself is the user's (marked
 * as user content); the kinds are the console's words.
 */
export function HighlightedText({
  text,
  hits,
  className,
}: {
  text: string;
  hits?: readonly ScanHit[] | undefined;
  className?: string;
}) {
  const { pick } = useT();
  const s = useModerationStrings();
  if (text === '') return <span className="scan-empty">{s('empty')}</span>;
  return (
    <span className={className ? `scan-text ${className}` : 'scan-text'}>
      {segmentText(text, hits).map((seg, i) => {
        // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and never reordered
        if (!seg.hit) return <UserText key={i}>{seg.text}</UserText>;
        const kind = pick(SCAN_HIT_KIND_LABELS[seg.hit.kind]);
        const category = seg.hit.category ? s('hitCategory', { category: seg.hit.category }) : '';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and never reordered
          <span key={i} className="scan-hit-wrap">
            <mark
              className={`scan-hit scan-hit-${seg.hit.kind}`}
              data-testid="scan-hit"
              data-kind={seg.hit.kind}
              title={s('hitTitle', { kind, match: seg.hit.match }) + category}
            >
              <UserText>{seg.text}</UserText>
            </mark>
            <span className="scan-hit-tag" data-kind={seg.hit.kind}>
              {kind}
            </span>
          </span>
        );
      })}
    </span>
  );
}

/** Every hit of every field, by kind, in the order SCAN_HIT_KINDS lists the kinds. */
export function hitsByKind(hits: FieldHits): [ScanHitKind, ScanHit[]][] {
  const all = Object.values(hits).flat();
  return SCAN_HIT_KINDS.map((k) => [k, all.filter((h) => h.kind === k)] as [ScanHitKind, ScanHit[]]).filter(
    ([, list]) => list.length > 0,
  );
}

/**
 * The legend of the marks: each kind found with its name, how often, and the matched texts, so a moderator can read the findings without hunting for colours.
 */
export function HitLegend({ hits, headingLevel = 3 }: { hits: FieldHits; headingLevel?: 3 | 4 }) {
  const { pick, locale } = useT();
  const s = useModerationStrings();
  const kinds = hitsByKind(hits);
  const total = kinds.reduce((n, [, list]) => n + list.length, 0);
  const Heading = `h${headingLevel}` as const;
  return (
    <section className="scan-legend" data-testid="scan-legend" aria-label={s('hitsHeading')}>
      <Heading className="pane-subheading">{s('hitsHeading')}</Heading>
      {total === 0 ? (
        <p className="muted">{s('hitsNone')}</p>
      ) : (
        <>
          <p>{s('hitsSummary', { n: total })}</p>
          <ul className="scan-legend-list">
            {kinds.map(([kind, list]) => (
              <li key={kind} data-kind={kind}>
                <span className={`scan-swatch scan-hit-${kind}`} aria-hidden="true" />
                <span className="scan-hit-tag" data-kind={kind}>
                  {pick(SCAN_HIT_KIND_LABELS[kind])}
                </span>
                <span className="scan-legend-count">×{list.length}</span>
                <span className="scan-legend-matches">
                  {[...new Set(list.map((h) => h.match))].map((m, at) => (
                    <span key={m}>
                      {at > 0 && (locale === 'en' ? ', ' : '、')}
                      <UserText>{m}</UserText>
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
