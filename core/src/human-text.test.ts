import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_MESSAGES } from '@jiangxin/shared/errors';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { formatChinaTime } from './modules/human-text';
import {
  NOTIFICATION_TEMPLATES,
  type NotificationTemplate,
  renderNotice,
  type TemplateParams,
} from './modules/notifications/templates';

/**
 * Every text the core writes for a person to read, in both languages, checked for what a reader would
 * notice: a raw code (`approve_payout`, `order.status_changed`) or an English word in the Chinese text,
 * a Chinese character in the English one. The texts are enumerated from where they live — the
 * notification templates, the problem codes, every `{ zh, en }` table the shared contract exports and
 * every `{ zh: …, en: … }` pair written in the core's modules — so a new one is checked the day it is
 * added. Interpolated values (`${…}`) are data (an order number, a listing title someone typed) and are
 * replaced by a neutral `0` before checking: the check is about the words the product wrote.
 */

/**
 * English words a Chinese sentence may carry, each for a reason: acronyms people read as such, the
 * names of HTTP headers an API client must send, and ledger account-code syntax staff type into the
 * ledger search (`user:12:available`), quoted so they know what to type.
 */
const ZH_ALLOWED_WORDS = new Set([
  'SLA', // 处理时限（SLA）: the ops term staff use
  'ID', // 用户 ID
  'CSV',
  'API',
  'SMS',
  'URL',
  'UTF', // UTF-8
  'JSON',
  'NUL', // the NUL character, named as such
  'Idempotency', // the Idempotency-Key header
  'Key',
  'Content', // the Content-Type header
  'Type',
  'QQ', // the messaging app, a brand name people know by these letters
  'MB', // file sizes
  'HTTP', // 合法的 HTTP 请求: the API's own refusals to malformed requests
  'ASCII', // the characters an Idempotency-Key may hold
]);

/** Spans that are data even in the middle of a sentence: order numbers, ledger codes, macro placeholders. */
const DATA_SPANS: RegExp[] = [
  /\bJX\d{8,}\b/g, // order numbers
  /\b(?:user|order|platform):[\w:]+/g, // ledger account codes (the search's own syntax)
  /\{\{[\w.]+\}\}/g, // a macro's placeholders, which staff type as written
  /\b(?:multipart|application|text|image)\/[\w.+-]+/g, // media types an API client must send
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, // email addresses (the sender's, a user's)
];

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const SNAKE = /\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b/;
const DOTTED = /\b[a-z][a-z0-9]*\.[a-z][a-z0-9_]*\b/;

/** What is wrong with `text` as `lang` text, or null when nothing is. */
export function humanTextProblem(text: string, lang: 'zh' | 'en'): string | null {
  let t = text;
  for (const span of DATA_SPANS) t = t.replace(span, ' ');
  const snake = SNAKE.exec(t);
  if (snake) return `raw code "${snake[0]}"`;
  const dotted = DOTTED.exec(t);
  if (dotted) return `raw code "${dotted[0]}"`;
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.exec(t);
  if (iso) return `machine timestamp "${iso[0]}" (write it with formatChinaTime)`;
  if (lang === 'en') {
    const zh = CJK.exec(t);
    return zh ? `Chinese "${zh[0]}" in English text` : null;
  }
  if (!CJK.test(t) && t.trim() !== '') return 'no Chinese at all';
  for (const m of t.matchAll(/[A-Za-z]{2,}/g)) {
    if (!ZH_ALLOWED_WORDS.has(m[0])) return `English word "${m[0]}" in Chinese text`;
  }
  return null;
}

/** One text to check: where it comes from, its language, the text. */
interface Sample {
  where: string;
  lang: 'zh' | 'en';
  text: string;
  /** Found while reading the source (an interpolated code or fen), before the text's own check. */
  problem?: string;
}

const failures = (samples: Sample[]) =>
  samples.flatMap((s) => {
    const p = s.problem ?? humanTextProblem(s.text, s.lang);
    return p ? [`${s.where} [${s.lang}] ${p}: ${JSON.stringify(s.text)}`] : [];
  });

const repoRoot = join(__dirname, '..', '..');

function tsFiles(dir: string, skip: (rel: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'))
    .map((d) => join(d.parentPath, d.name))
    .filter((f) => !skip(relative(repoRoot, f)));
}

/** Every `{ zh, en }` pair reachable from a module's exports (tables, nested tables, arrays of them). */
function bilingualPairs(value: unknown, where: string, seen = new Set<unknown>()): Sample[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return [];
  const o = value as Record<string, unknown>;
  if (typeof o['zh'] === 'string' && typeof o['en'] === 'string')
    return [
      { where, lang: 'zh', text: o['zh'] },
      { where, lang: 'en', text: o['en'] },
    ];
  return Object.entries(o).flatMap(([k, v]) => bilingualPairs(v, `${where}.${k}`, seen));
}

/** The text of a string or template literal, each `${…}` replaced by a neutral `0`; null for anything else. */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((s) => `0${s.literal.text}`).join('');
  return null;
}

/**
 * Names of values that hold a code (`status: 'opened'`, `kind: 'payout'`): interpolated into a sentence
 * as they are, they show the reader the code. A sentence maps them through a label table instead.
 */
const CODE_NAMES = new Set([
  'status',
  'kind',
  'action',
  'stage',
  'outcome',
  'channel',
  'provider',
  'role',
  'problem',
  'type',
  'from',
  'to',
]);

/**
 * The `${…}` of a template literal that put a code into the sentence as it is (`${order.status}`), or an
 * amount of money as fen (`${refundFen}`, `${fee}`: a person reads ¥6,000.00 from formatFen, never 600000).
 */
function codeInterpolations(node: ts.Node): string[] {
  if (!ts.isTemplateExpression(node)) return [];
  return node.templateSpans.flatMap((s) => {
    const e = s.expression;
    const name = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : null;
    if (name && CODE_NAMES.has(name)) return [`the code \${${e.getText()}}: map it to words`];
    if (name && /fen$|^fee$/i.test(name)) return [`fen \${${e.getText()}}: format it with formatFen`];
    return [];
  });
}

/**
 * Text not meant for the product's users, left out: `summary`/`description` anywhere in a route's
 * `schema` (the API document, for developers, written "中文 English" on purpose) and patterns (a string
 * given to `RegExp`, a `String.raw` template: the scanner's keyword patterns).
 */
function forDevelopers(node: ts.Node): boolean {
  const p = node.parent;
  if (p && (ts.isNewExpression(p) || ts.isCallExpression(p)) && p.expression.getText() === 'RegExp')
    return true;
  if (p && ts.isTaggedTemplateExpression(p) && p.tag.getText() === 'String.raw') return true;
  if (!p || !ts.isPropertyAssignment(p) || !['summary', 'description'].includes(p.name.getText()))
    return false;
  for (let a: ts.Node | undefined = p.parent; a; a = a.parent)
    if (ts.isPropertyAssignment(a) && a.name.getText() === 'schema') return true;
  return false;
}

/**
 * The texts written in `file`: every object literal with a literal `zh` and a literal `en` member (both
 * languages), and every other string with Chinese in it — a case title, a history note, a ledger line the
 * core writes in Chinese only (staff read them as written). Each also fails on an interpolated code.
 */
function writtenTexts(file: string): Sample[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Sample[] = [];
  const paired = new Set<ts.Node>();
  const at = (node: ts.Node) =>
    `${relative(repoRoot, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const add = (node: ts.Node, lang: 'zh' | 'en', text: string) => {
    out.push({ where: at(node), lang, text });
    for (const code of codeInterpolations(node))
      out.push({ where: at(node), lang, text, problem: `interpolates ${code}` });
  };
  const visit = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const member = (name: string) =>
        node.properties.find(
          (p): p is ts.PropertyAssignment =>
            ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
        );
      const zh = member('zh')?.initializer;
      const en = member('en')?.initializer;
      const zhText = zh && literalText(zh);
      const enText = en && literalText(en);
      if (zh && en && zhText != null && enText != null) {
        paired.add(zh).add(en);
        add(zh, 'zh', zhText);
        add(en, 'en', enText);
      }
    } else if (
      (ts.isCallExpression(node) || ts.isNewExpression(node)) &&
      node.expression.getText() !== 'RegExp'
    ) {
      // A helper called with the Chinese then the English text: `notApplicable('不能处罚自己', 'You …')`.
      const args = node.arguments ?? [];
      args.forEach((a, i) => {
        const next = args[i + 1];
        const zhText = literalText(a);
        const enText = next && literalText(next);
        if (
          zhText != null &&
          enText != null &&
          CJK.test(zhText) &&
          !CJK.test(enText) &&
          /[a-z]/i.test(enText)
        ) {
          paired.add(a).add(next!);
          add(a, 'zh', zhText);
          add(next!, 'en', enText);
        }
      });
    }
    if (!paired.has(node) && !ts.isImportDeclaration(node) && !forDevelopers(node)) {
      const text = literalText(node);
      if (text != null && CJK.test(text)) add(node, 'zh', text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('the checker itself', () => {
  it('refuses raw codes, English in Chinese and Chinese in English, and lets good text through', () => {
    expect(humanTextProblem('工单状态：pending_review', 'zh')).toMatch(/raw code "pending_review"/);
    expect(humanTextProblem('收到事件 order.status_changed', 'zh')).toMatch(/raw code/);
    expect(humanTextProblem('提现已 approved', 'zh')).toMatch(/English word "approved"/);
    expect(humanTextProblem('Payout 提现已通过', 'zh')).toMatch(/English word "Payout"/);
    expect(humanTextProblem('The payout is 已通过', 'en')).toMatch(/Chinese/);
    expect(humanTextProblem('Case is opened（请处理）', 'en')).toMatch(/Chinese/);
    expect(humanTextProblem('Status: approve_payout', 'en')).toMatch(/raw code/);
    expect(humanTextProblem('The evidence period ended at 2026-12-09T07:30:00.000Z', 'en')).toMatch(
      /timestamp/,
    );
    expect(humanTextProblem('超过处理时限（SLA）30 分钟', 'zh')).toBeNull();
    expect(humanTextProblem('订单 JX20261206000001 已完成，¥6,000.00 已入账', 'zh')).toBeNull();
    expect(humanTextProblem('Order JX20261206000001 is complete: ¥6,000.00 paid', 'en')).toBeNull();
  });
});

describe('times in sentences', () => {
  it('are China time in both languages, across midnight UTC', () => {
    expect(formatChinaTime('2026-12-08T16:30:00.000Z', 'zh')).toBe('2026年12月9日 00:30（北京时间）');
    expect(formatChinaTime('2026-12-08T16:30:00.000Z', 'en')).toBe('2026-12-09 00:30 (China time)');
  });
});

describe('notifications (email subject and body, SMS words) in Chinese and English', () => {
  const names = Object.keys(NOTIFICATION_TEMPLATES) as NotificationTemplate[];

  it('covers every template', () => {
    // The list comes from the table: a template added there is rendered below without touching this file.
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  it.each(names)('%s reads as Chinese in zh and as English in en, without raw codes', (name) => {
    const example = NOTIFICATION_TEMPLATES[name].example as TemplateParams<typeof name>;
    const samples: Sample[] = [];
    for (const lang of ['zh', 'en'] as const) {
      const r = renderNotice(name, example, lang);
      samples.push({ where: `${name} subject`, lang, text: r.subject });
      samples.push({ where: `${name} body`, lang, text: r.body });
      // SMS providers fill their templates with these: amounts formatted, codes in words.
      for (const [k, v] of Object.entries(r.vars))
        if (!/^[\d\s¥,.#-]*$|^JX\d+$/.test(v))
          samples.push({ where: `${name} SMS word ${k}`, lang, text: v });
      expect(r.subject, `${name} [${lang}] subject`).not.toBe('');
      expect(r.body, `${name} [${lang}] body`).not.toBe('');
      // Money is shown formatted, never as fen (order numbers are the only long digit runs).
      expect(`${r.subject}\n${r.body}`.replace(/JX\d+/g, ''), `${name} [${lang}]`).not.toMatch(/\d{5,}/);
    }
    expect(failures(samples)).toEqual([]);
  });
});

describe('problem answers', () => {
  it('every problem code has a Chinese and an English message that pass the rules', () => {
    const samples = Object.entries(ERROR_MESSAGES).flatMap(([code, m]) => [
      { where: `problem ${code}`, lang: 'zh' as const, text: m.zh },
      { where: `problem ${code}`, lang: 'en' as const, text: m.en },
    ]);
    expect(samples.length).toBeGreaterThan(40);
    expect(failures(samples)).toEqual([]);
  });
});

describe('the strings tables of the shared contract', () => {
  it('every { zh, en } label the contract exports passes the rules', async () => {
    const files = tsFiles(join(repoRoot, 'shared', 'src'), () => false);
    const samples: Sample[] = [];
    for (const file of files) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        samples.push(...bilingualPairs(value, `${relative(repoRoot, file)} ${name}`));
    }
    expect(samples.length).toBeGreaterThan(200);
    expect(failures(samples)).toEqual([]);
  });
});

describe('texts written in the core', () => {
  it('every text the modules and the platform write (problem details, refusals, case titles, history notes) passes the rules', () => {
    // Command-line tools (`*-cli.ts`) print to an operator's terminal, both languages on one line, and the
    // API document (platform/http/openapi*.ts) is written for developers: neither is read here.
    const files = ['modules', 'platform'].flatMap((d) =>
      tsFiles(join(repoRoot, 'core', 'src', d), (f) => f.endsWith('-cli.ts') || /openapi/.test(f)),
    );
    const samples = files.flatMap(writtenTexts);
    expect(samples.length).toBeGreaterThan(100);
    expect(failures(samples)).toEqual([]);
  });
});
