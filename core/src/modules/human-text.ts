/** The languages the product speaks, Chinese first. */
export type Lang = 'zh' | 'en';

/** A text in both of the languages the product speaks. */
export interface BothLanguages {
  zh: string;
  en: string;
}

/**
 * A text stored once and read by people of either language (a listing's takedown note its owner reads,
 * the placeholder of a hidden message both parties see, a case note the scanner writes): Chinese first,
 * then English, each complete on its own. Written as a `{ zh, en }` pair so the strings test checks each
 * half in its language (core/src/human-text.test.ts).
 */
export function bothLanguages(t: BothLanguages, separator = '\n'): string {
  return `${t.zh}${separator}${t.en}`;
}

/**
 * A moment as a person reads it, in China time (UTC+8, no DST) whatever the server's zone: "2026年12月9日
 * 15:30（北京时间）", "2026-12-09 15:30 (China time)". Never an ISO string in a sentence.
 */
export function formatChinaTime(at: Date | string, lang: Lang): string {
  const china = new Date(new Date(at).getTime() + 8 * 3_600_000);
  const [y, m, d] = [china.getUTCFullYear(), china.getUTCMonth() + 1, china.getUTCDate()];
  const hm = `${String(china.getUTCHours()).padStart(2, '0')}:${String(china.getUTCMinutes()).padStart(2, '0')}`;
  return lang === 'zh'
    ? `${y}年${m}月${d}日 ${hm}（北京时间）`
    : `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} ${hm} (China time)`;
}
