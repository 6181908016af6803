import { useEffect, useState } from 'react';
import { useCaseStrings } from './strings';

/** A clock that ticks every `everyMs` (one shared interval per component). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Under this much time left the countdown turns amber (and says so). */
export const SLA_SOON_MS = 60 * 60_000;

export type SlaState = 'none' | 'ok' | 'soon' | 'breached';

export function slaState(dueAt: string | null, breached: boolean, now: number): SlaState {
  if (!dueAt) return 'none';
  const left = Date.parse(dueAt) - now;
  if (breached || left <= 0) return 'breached';
  return left < SLA_SOON_MS ? 'soon' : 'ok';
}

/** 135 minutes → "2小时15分" / "2h 15m"; under a minute → "<1分" / "<1m". */
export function formatSpan(ms: number, locale: 'zh-CN' | 'en'): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const zh = locale === 'zh-CN';
  if (minutes < 1) return zh ? '<1分' : '<1m';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (zh) return days > 0 ? `${days}天${hours}小时` : hours > 0 ? `${hours}小时${mins}分` : `${mins}分`;
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${mins}m` : `${mins}m`;
}

/**
 * The deadline as `Date#toLocaleString(locale)` writes it (same options), from one formatter per language:
 * building a formatter per call costs more than the rest of a queue row together.
 */
const DEADLINE_FORMATS: Partial<Record<'zh-CN' | 'en', Intl.DateTimeFormat>> = {};
export function formatDeadline(dueAt: string, locale: 'zh-CN' | 'en'): string {
  DEADLINE_FORMATS[locale] ??= new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return DEADLINE_FORMATS[locale].format(Date.parse(dueAt));
}

/** The SLA countdown: words and a colour (the words carry the meaning; the colour only repeats it). */
export function SlaCountdown({
  dueAt,
  breached,
  now,
  locale,
}: {
  dueAt: string | null;
  breached: boolean;
  now: number;
  locale: 'zh-CN' | 'en';
}) {
  const s = useCaseStrings();
  return slaLabel(dueAt, breached, now, locale, {
    none: s('slaNone'),
    over: (time) => s('slaOver', { time }),
    left: (time) => s('slaLeft', { time }),
  });
}

/** The countdown's element, for a component or a queue row (which passes words it formatted once). */
export function slaLabel(
  dueAt: string | null,
  breached: boolean,
  now: number,
  locale: 'zh-CN' | 'en',
  words: { none: string; over: (time: string) => string; left: (time: string) => string },
) {
  const state = slaState(dueAt, breached, now);
  if (state === 'none' || !dueAt) return <span className="muted">{words.none}</span>;
  const time = formatSpan(Date.parse(dueAt) - now, locale);
  return (
    <span className={`sla sla-${state}`} data-sla={state} title={formatDeadline(dueAt, locale)}>
      {state === 'breached' ? words.over(time) : words.left(time)}
    </span>
  );
}
