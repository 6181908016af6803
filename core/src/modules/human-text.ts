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
