import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type AllowedFileType, FILE_LIMITS } from '@jiangxin/shared/api/files';

/** Content types clients commonly send for an allowed type, mapped to the one we store. */
const TYPE_ALIASES: Record<string, AllowedFileType> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-pdf': 'application/pdf',
};

/** What a client without a type of its own (curl, some Android pickers) means, by extension. */
const TYPE_BY_EXTENSION: Record<string, AllowedFileType> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.txt': 'text/plain',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

const ALLOWED = new Set<string>(FILE_LIMITS.allowedTypes);

/**
 * The allowed content type an upload declares, or null when it is not one we accept. Parameters
 * (`; charset=…`) and case are ignored; a generic `application/octet-stream` falls back to the extension.
 */
export function normalizeDeclaredType(
  declared: string | undefined,
  filename: string,
): AllowedFileType | null {
  const bare = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!bare || bare === 'application/octet-stream') {
    return TYPE_BY_EXTENSION[path.extname(filename).toLowerCase()] ?? null;
  }
  const aliased = TYPE_ALIASES[bare] ?? bare;
  return ALLOWED.has(aliased) ? (aliased as AllowedFileType) : null;
}

/** Signatures of the binary formats we accept (and of the ones a disguised upload most often is). */
const SIGNATURES: { type: string; label: string; test: (b: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    label: 'PNG',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    type: 'image/jpeg',
    label: 'JPEG',
    test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    type: 'image/gif',
    label: 'GIF',
    test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')),
  },
  {
    type: 'image/webp',
    label: 'WebP',
    test: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { type: 'application/pdf', label: 'PDF', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  {
    type: 'application/zip',
    label: 'ZIP',
    // Local file header, or the end-of-central-directory record of an empty archive.
    test: (b) => ['PK\x03\x04', 'PK\x05\x06'].includes(b.subarray(0, 4).toString('latin1')),
  },
  {
    type: 'application/x-msdownload',
    label: 'Windows executable',
    test: (b) => b.subarray(0, 2).toString('latin1') === 'MZ',
  },
  {
    type: 'application/x-elf',
    label: 'ELF executable',
    test: (b) => b.subarray(0, 4).toString('latin1') === '\x7fELF',
  },
  {
    type: 'application/x-ole-storage',
    label: 'legacy Office (OLE)',
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
  },
];

/** Office Open XML documents are ZIP archives. */
const ZIP_BASED = new Set<string>([
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/** How many leading bytes the checks below look at: the type is decided before the rest is stored. */
export const SNIFF_BYTES = 8192;

/**
 * The allowed type the bytes themselves prove (an image or PDF by its signature), for an upload that
 * declares none we can use (`application/octet-stream` and a name without a known extension). ZIP-based
 * Office files and plain text prove nothing by their first bytes, so they still need a declared type.
 */
export function typeFromContent(head: Buffer): AllowedFileType | null {
  const seen = sniff(head);
  if (!seen || seen.type === 'application/zip' || !ALLOWED.has(seen.type)) return null;
  return seen.type as AllowedFileType;
}

/** What the bytes look like, by signature ("PDF"), or null when no known signature matches. */
export function sniff(bytes: Buffer): { type: string; label: string } | null {
  return SIGNATURES.find((s) => s.test(bytes)) ?? null;
}

/**
 * Checks that the bytes are what the declared type says, so a script or executable cannot travel as
 * "image/png". Returns a human-readable problem, or null when the content matches. Plain text must not
 * carry a binary signature or NUL bytes.
 */
export function contentMismatch(declared: AllowedFileType, bytes: Buffer): { zh: string; en: string } | null {
  const actual = sniff(bytes);
  const seen = actual ? actual.label : null;
  if (declared === 'text/plain') {
    if (actual) {
      return {
        zh: `声明为纯文本，但内容是 ${actual.label}`,
        en: `Declared as plain text, but the content is ${actual.label}`,
      };
    }
    if (bytes.subarray(0, SNIFF_BYTES).includes(0)) {
      return {
        zh: '声明为纯文本，但内容是二进制数据',
        en: 'Declared as plain text, but the content is binary',
      };
    }
    return null;
  }
  const expected = ZIP_BASED.has(declared) ? 'application/zip' : declared;
  if (actual?.type === expected) return null;
  return {
    zh: `声明的类型 ${declared} 与文件内容不符（内容${seen ? `是 ${seen}` : '无法识别'}）`,
    en: `The declared type ${declared} does not match the content (${seen ? `it is ${seen}` : 'unrecognized content'})`,
  };
}

/**
 * A filename safe to store and to echo in headers: the last path segment only, NFC, without control,
 * bidi-override or reserved characters, bounded in length with its extension kept. Chinese stays as is.
 */
export function sanitizeFilename(raw: string, maxLength: number = FILE_LIMITS.maxFilenameLength): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .trim();
  const chars = [...(cleaned.isWellFormed() ? cleaned : cleaned.toWellFormed())];
  if (chars.length === 0) return 'file';
  if (chars.length <= maxLength) return chars.join('');
  const ext = path.extname(cleaned);
  const extChars = ext.length > 0 && [...ext].length <= 16 ? [...ext] : [];
  return chars.slice(0, maxLength - extChars.length).join('') + extChars.join('');
}

/**
 * `Content-Disposition` with an ASCII fallback and the exact name as RFC 5987 `filename*` (UTF-8), so
 * browsers save `设计稿.pdf` under its Chinese name. Images are shown inline; everything else downloads.
 */
export function contentDisposition(filename: string, inline: boolean): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file';
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * A new upload's storage key: a random name under the month it was uploaded in (`uploads/2026-12/…`), so
 * a bucket lists by month and a key says nothing about the file. Identical bytes uploaded again reuse the
 * first copy's key (the files module looks it up by SHA-256 once the stream is stored).
 */
export function newStorageKey(now: Date): string {
  return `uploads/${now.toISOString().slice(0, 7)}/${randomUUID()}`;
}
