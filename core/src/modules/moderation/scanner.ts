import { readFileSync } from 'node:fs';
import type { ScanHit, ScanHitKind } from '@jiangxin/shared/ops/moderation';
import { CONTACT_HIT_KINDS } from '@jiangxin/shared/ops/moderation';
import AhoCorasick from 'modern-ahocorasick';

/**
 * The sensitive-content scanner: prohibited words from our dictionary (Aho–Corasick) and contact details
 * that take deals off the platform (mobile numbers, WeChat ids, QQ numbers, emails, web addresses).
 *
 * People dodge filters by writing 138 0013 8000, 一三八零零一三八零零零, ①③⑧…, full-width digits or
 * emoji between digits. The text is therefore normalised first — NFKC (full-width → half-width, circled
 * digits → digits), Chinese and dingbat digit styles → ASCII digits, ASCII lower case — and separators
 * squeezed between two digits are dropped. Every normalised character remembers the range of the original
 * it came from, so each hit's `start`/`end` are UTF-16 offsets into the ORIGINAL text and
 * `text.slice(start, end)` is what the console highlights. Pure: no I/O after the dictionary is loaded.
 */

/** One character of a normalised view and the original range [from, to) it stands for. */
interface Unit {
  ch: string;
  from: number;
  to: number;
}

const CHINESE_DIGITS: Record<string, string> = {
  零: '0',
  〇: '0',
  一: '1',
  幺: '1',
  壹: '1',
  二: '2',
  贰: '2',
  貳: '2',
  三: '3',
  叁: '3',
  參: '3',
  四: '4',
  肆: '4',
  五: '5',
  伍: '5',
  六: '6',
  陆: '6',
  陸: '6',
  七: '7',
  柒: '7',
  八: '8',
  捌: '8',
  九: '9',
  玖: '9',
};

/** Dingbat and double-circled digits that NFKC leaves alone: ❶ ➀ ➊ ⓵ (1–9), ⓿ (0), ❿ ➉ ➓ ⓾ (10). */
function dingbatDigit(cp: number): string | undefined {
  for (const first of [0x2776, 0x2780, 0x278a, 0x24f5]) {
    if (cp >= first && cp <= first + 8) return String(cp - first + 1);
    if (cp === first + 9) return '10';
  }
  if (cp === 0x24ff) return '0';
  return undefined;
}

/** Placeholder for characters outside the BMP (emoji …), so one view character is one UTF-16 unit. */
const ASTRAL = '\uFFFC';

/** The normalised characters one original code point becomes (possibly several, e.g. ⑩ → 1 0). */
function fold(cp: string): string[] {
  const code = cp.codePointAt(0) ?? 0;
  const dingbat = dingbatDigit(code);
  const nfkc = dingbat ?? cp.normalize('NFKC');
  const out: string[] = [];
  for (const c of nfkc) {
    if (c.length > 1) out.push(ASTRAL);
    else out.push(CHINESE_DIGITS[c] ?? (c >= 'A' && c <= 'Z' ? c.toLowerCase() : c));
  }
  return out;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const ALNUM = /[\p{L}\p{N}]/u;
/** A separator: anything but a letter or digit (and not `@`, which belongs to emails). */
const isFiller = (c: string) => c !== '@' && !ALNUM.test(c);
/** Longest run of separators squeezed out between two digits (138 - - 0013 still counts, prose does not). */
const MAX_DIGIT_GAP = 5;

function foldUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let i = 0;
  for (const cp of text) {
    for (const ch of fold(cp)) units.push({ ch, from: i, to: i + cp.length });
    i += cp.length;
  }
  return units;
}

/** Drops short runs of separators that sit between two digits: `138 0013-8000` → `13800138000`. */
function squeezeDigits(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  let i = 0;
  while (i < units.length) {
    const u = units[i]!;
    if (!isFiller(u.ch)) {
      out.push(u);
      i += 1;
      continue;
    }
    let j = i;
    while (j < units.length && isFiller(units[j]!.ch)) j += 1;
    const between = isDigit(out.at(-1)?.ch) && isDigit(units[j]?.ch) && j - i <= MAX_DIGIT_GAP;
    if (!between) for (let k = i; k < j; k += 1) out.push(units[k]!);
    i = j;
  }
  return out;
}

const joinUnits = (units: readonly Unit[]) => units.map((u) => u.ch).join('');

/** A dictionary word, normalised like the text it is matched against (letters and digits only). */
function normaliseWord(word: string): string {
  return foldUnits(word.trim())
    .map((u) => u.ch)
    .filter((c) => !isFiller(c))
    .join('');
}

export interface DictionaryEntry {
  word: string;
  category: string;
}

/** Parses the dictionary format: `词语<whitespace>category` per line, `#` comments, blank lines ignored. */
export function parseDictionary(source: string): DictionaryEntry[] {
  const entries: DictionaryEntry[] = [];
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s+([a-z_]+)$/.exec(line);
    if (!m) throw new Error(`bad dictionary line: ${line}`);
    entries.push({ word: m[1]!, category: m[2]! });
  }
  return entries;
}

const DICTIONARY_FILE = new URL('./dictionary/prohibited-words.txt', import.meta.url);

let defaultMatcher: AhoCorasick<DictionaryEntry> | undefined;
function compile(entries: readonly DictionaryEntry[]): AhoCorasick<DictionaryEntry> {
  return new AhoCorasick(
    entries.map((e) => ({ pattern: normaliseWord(e.word), data: e })).filter((p) => p.pattern.length > 0),
  );
}
function matcherFor(entries?: readonly DictionaryEntry[]): AhoCorasick<DictionaryEntry> {
  if (entries) return compile(entries);
  defaultMatcher ??= compile(parseDictionary(readFileSync(DICTIONARY_FILE, 'utf8')));
  return defaultMatcher;
}

/** Keyword, then an optional connector (号, 是, a colon, spaces), then the id or number. */
const CONNECTOR = String.raw`(号码|号|id|账号)?([\s:：是为~～\-]*)`;
const WECHAT = new RegExp(
  `(?<![a-z])(?:微信|威信|薇信|徽信|维信|卫信|v信|vx|wx|weixin|wechat)${CONNECTOR}([a-z0-9][a-z0-9_-]{5,19})(?![a-z0-9_-])`,
  'g',
);
const QQ = new RegExp(
  String.raw`(?<![a-z])(?:q\s?q|扣扣|抠抠|企鹅|球球)(?:群)?${CONNECTOR}([1-9][0-9]{4,10})(?![0-9])`,
  'g',
);
const PHONE = /(?<![0-9])(?:\+?86)?1[3-9][0-9]{9}(?![0-9])/g;
const EMAIL = /[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,10}(?![a-z])/g;
const URL_WITH_SCHEME = /(?:https?:\/\/|www\.)[a-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const TLDS = 'com|cn|net|org|top|xyz|cc|io|me|info|vip|shop|club|site|online|ltd|link|tv';
const BARE_DOMAIN = new RegExp(
  String.raw`(?<![a-z0-9@./\-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${TLDS})(?![a-z0-9\-])(?:/[a-z0-9\-._~/?#%&=+]*)?`,
  'g',
);
/** Technology names that look like domains. */
const NOT_DOMAINS = new Set(['asp.net', 'ado.net', 'vb.net', 'dot.net']);
/** 13,800,138,000 is an amount written with thousands separators, not a phone number. */
const GROUPED_NUMBER = /^[0-9]{1,3}(?:[,，][0-9]{3}){2,}$/;

/** Scans one text. Hits are ordered by position; their ranges refer to `text` as given. */
export function scanText(text: string, dictionary?: readonly DictionaryEntry[]): ScanHit[] {
  if (!text) return [];
  const folded = foldUnits(text);
  const squeezed = squeezeDigits(folded);
  const view = joinUnits(squeezed);
  const hits: ScanHit[] = [];
  const push = (kind: ScanHitKind, units: readonly Unit[], s: number, e: number, category?: string) => {
    const start = units[s]!.from;
    const end = units[e - 1]!.to;
    hits.push({ kind, match: text.slice(start, end), start, end, ...(category ? { category } : {}) });
  };

  for (const m of view.matchAll(PHONE)) {
    const s = m.index;
    const original = text.slice(squeezed[s]!.from, squeezed[s + m[0].length - 1]!.to);
    if (GROUPED_NUMBER.test(original)) continue;
    push('phone', squeezed, s, s + m[0].length);
  }
  for (const [re, kind] of [
    [WECHAT, 'wechat'],
    [QQ, 'qq'],
  ] as const) {
    for (const m of view.matchAll(re)) {
      const [, suffix, connector, id] = m;
      // "微信 please" is prose; an id with a digit, _ or -, or an explicit "微信号：", is a contact.
      const explicit = Boolean(suffix) || /[:：是为]/.test(connector ?? '');
      if (kind === 'wechat' && !explicit && !/[0-9_-]/.test(id ?? '')) continue;
      push(kind, squeezed, m.index, m.index + m[0].length);
    }
  }
  for (const m of view.matchAll(EMAIL)) push('email', squeezed, m.index, m.index + m[0].length);
  for (const re of [URL_WITH_SCHEME, BARE_DOMAIN]) {
    for (const m of view.matchAll(re)) {
      const url = m[0].replace(/[.,;:!?)'\]]+$/, '');
      if (NOT_DOMAINS.has(url)) continue;
      push('url', squeezed, m.index, m.index + url.length);
    }
  }

  // Prohibited words: matched on letters and digits only, so 代 写 论 文 and 代*写论文 are caught too.
  const compact = folded.filter((u) => !isFiller(u.ch));
  for (const m of matcherFor(dictionary).search(joinUnits(compact), { strategy: 'leftmost-longest' }))
    push('prohibited_word', compact, m.start, m.end, m.data?.category);

  return dedupe(hits);
}

/** Drops hits inside a larger hit of the same kind and web addresses inside an email; orders by position. */
function dedupe(hits: ScanHit[]): ScanHit[] {
  const within = (a: ScanHit, b: ScanHit) =>
    a !== b && b.start <= a.start && a.end <= b.end && (b.start !== a.start || b.end !== a.end);
  const seen = new Set<string>();
  return hits
    .filter((h) => {
      if (hits.some((o) => (o.kind === h.kind || (h.kind === 'url' && o.kind === 'email')) && within(h, o)))
        return false;
      const key = `${h.kind}:${h.start}:${h.end}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

export type FieldHit = ScanHit & { field: string };

/** Scans several named texts (title, description, packages.basic.title …). */
export function scanFields(fields: Record<string, string>): FieldHit[] {
  return Object.entries(fields).flatMap(([field, value]) => scanText(value).map((h) => ({ ...h, field })));
}

export const isContactHit = (h: Pick<ScanHit, 'kind'>) => CONTACT_HIT_KINDS.includes(h.kind);

/** The case flags and priority hits call for: a contact leak → 2 (high), a prohibited word → 3 (urgent). */
export function hitSignals(hits: readonly Pick<ScanHit, 'kind'>[]): {
  flags: ('contact_leak' | 'prohibited_word')[];
  priority: number;
} {
  const leak = hits.some(isContactHit);
  const prohibited = hits.some((h) => h.kind === 'prohibited_word');
  const flags: ('contact_leak' | 'prohibited_word')[] = [];
  if (leak) flags.push('contact_leak');
  if (prohibited) flags.push('prohibited_word');
  return { flags, priority: prohibited ? 3 : leak ? 2 : 1 };
}
