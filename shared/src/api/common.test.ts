import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cursorSchema,
  displayName,
  idQuery,
  isoInstantQuery,
  password,
  queryDecimal,
  queryInt,
  text,
} from './common';

const ok = (s: z.ZodType, v: unknown) => s.safeParse(v);
const refused = (s: z.ZodType, v: unknown) => !s.safeParse(v).success;

describe('text()', () => {
  it('refuses NUL and every other control character in one-line text, by a regex', () => {
    const line = text({ max: 50 });
    for (const bad of [
      'a\u0000b',
      '\u0007',
      'a\u001b[31m',
      'a\nb',
      'a\tb',
      'a\rb',
      '\u007f',
      '\u0085',
      '\u009b',
      'a\u2028b',
    ])
      expect(refused(line, bad), JSON.stringify(bad)).toBe(true);
    expect(ok(line, '  你好, world  ').data).toBe('你好, world');
    expect(line.safeParse('a\u0000').error?.issues[0]?.message).toBe(
      'must be one line without control characters',
    );
  });

  it('allows line breaks and tabs in multi-line text, and nothing else of the controls', () => {
    const prose = text({ max: 50, multiline: true });
    expect(ok(prose, '第一行\n\t第二行').data).toBe('第一行\n\t第二行');
    // Line breaks from Windows (CR LF) and old Macs (CR) are kept as line feeds.
    expect(ok(prose, '第一行\r\n第二行\r第三行').data).toBe('第一行\n第二行\n第三行');
    for (const bad of ['a\u0000', '\u0007', '\u001b', '\u009b'])
      expect(refused(prose, bad), JSON.stringify(bad)).toBe(true);
  });

  it('still refuses lone surrogates and overlong text', () => {
    expect(refused(text({ max: 5 }), 'a\ud800')).toBe(true);
    expect(refused(text({ max: 5 }), '123456')).toBe(true);
  });

  it('shows its rule as a JSON Schema pattern', () => {
    const json = z.toJSONSchema(z.object({ t: text({ max: 5 }), m: text({ max: 5, multiline: true }) })) as {
      properties: Record<string, { pattern?: string }>;
    };
    expect(new RegExp(json.properties['t']!.pattern!).test('a\u0000')).toBe(false);
    expect(new RegExp(json.properties['m']!.pattern!).test('a\nb')).toBe(true);
  });
});

describe('displayName()', () => {
  it('strips bidi controls, refuses bell and escape', () => {
    const name = displayName({ min: 1, max: 32 });
    expect(ok(name, 'RED\u202etxt.exe').data).toBe('REDtxt.exe');
    expect(ok(name, '\u2066小王\u2069\u200f').data).toBe('小王');
    expect(refused(name, '\u202e')).toBe(true); // nothing left: empty
    expect(refused(name, '\u0007\u001b[31mRED\u202e')).toBe(true);
  });
});

describe('password()', () => {
  it('keeps the password exactly as typed and refuses only NUL', () => {
    const p = password({ min: 8, max: 128 });
    expect(ok(p, '  spaced out\t ').data).toBe('  spaced out\t ');
    expect(refused(p, 'abcdefgh\u0000')).toBe(true);
  });
});

describe('ids and numbers in paths and query strings', () => {
  it('takes decimal ids only', () => {
    expect(ok(idQuery, '16').data).toBe(16);
    expect(ok(idQuery, 16).data).toBe(16);
    expect(ok(idQuery, '9007199254740991').data).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [
      '0x10',
      '1e1',
      ' 16',
      '16 ',
      '+16',
      '016',
      '16.0',
      '-16',
      '0',
      '',
      '9007199254740992',
      'NaN',
      16.5,
    ])
      expect(refused(idQuery, bad), JSON.stringify(bad)).toBe(true);
  });

  it('takes decimal whole numbers in range, and decimals where a fraction makes sense', () => {
    const limit = queryInt({ min: 1, max: 100 }).default(20);
    expect(ok(limit, undefined).data).toBe(20);
    expect(ok(limit, '100').data).toBe(100);
    for (const bad of ['0', '101', '1e2', '0x10', '-1', '1.0', ' 5'])
      expect(refused(limit, bad), bad).toBe(true);
    const rating = queryDecimal({ min: 0, max: 5 });
    expect(ok(rating, '4.5').data).toBe(4.5);
    for (const bad of ['.5', '5.', '1e0', '6', '-1']) expect(refused(rating, bad), bad).toBe(true);
  });

  it('refuses control characters in cursors (the core decodes the rest)', () => {
    expect(ok(cursorSchema(), 'eyJrIjoib3JkZXJzIn0').success).toBe(true);
    expect(refused(cursorSchema(), 'abc\u0000')).toBe(true);
  });
});

describe('isoInstantQuery', () => {
  it('parses ISO 8601 strictly, within 2000–2100, and normalises to UTC', () => {
    expect(ok(isoInstantQuery, '2026-11-27T08:00:00+08:00').data).toBe('2026-11-27T00:00:00.000Z');
    expect(ok(isoInstantQuery, '2026-11-27T00:00:00.000Z').data).toBe('2026-11-27T00:00:00.000Z');
    // A date alone is midnight China time.
    expect(ok(isoInstantQuery, '2026-11-27').data).toBe('2026-11-26T16:00:00.000Z');
    for (const bad of [
      'yesterday',
      '1e20',
      'x',
      '2026-02-30',
      '2026-11-27T24:00:00Z',
      '2026-11-27T08:00:00',
      '1999-12-31T23:59:59Z',
      '2101-01-01',
      '20261127',
      ' 2026-11-27',
    ])
      expect(refused(isoInstantQuery, bad), bad).toBe(true);
  });
});
