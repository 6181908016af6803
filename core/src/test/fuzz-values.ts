import fc from 'fast-check';

/*
 * The vocabulary of bad input the fuzz test (platform/http/fuzz.test.ts) draws from: strings with NUL
 * and other control characters, numbers, ids and dates that are not what they look like, values of the
 * wrong type, hostile keys and raw bodies that are not JSON. Each is something a client or a probe has
 * sent, or could; none may ever earn a 5xx.
 */

/** Ordinary text (Latin, Chinese, digits, punctuation) of a length the schema accepts. */
export const friendlyText = (min: number, max: number) =>
  fc.string({
    unit: fc.constantFrom(...'ab xyz设计师订单你好，。0123'.split('')),
    minLength: Math.max(min, 1),
    maxLength: Math.max(min, Math.min(max, min + 24)),
  });

const deepNest = (n: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < n; i += 1) v = i % 2 ? [v] : { v };
  return v;
};

/** Strings with NUL: PostgreSQL cannot store it (text or jsonb), so it is the first thing to refuse. */
const withNul = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '设计\u0000师', `${'a'.repeat(5000)}\u0000`, '\u0000'.repeat(10)),
  fc.tuple(friendlyText(0, 12), fc.nat(12)).map(([v, at]) => `${v.slice(0, at)}\u0000${v.slice(at)}`),
);
/** Other control characters, bidi controls, line breaks in one-line fields, lone surrogates. */
const CONTROL_STRINGS = [
  '\u0007\u001b[31mRED\u202e',
  'RED\u202etxt.exe',
  '\u2066x\u2069',
  '\u200f\u200e',
  '\ud800',
  'x\udfff',
  '\r\n',
  'a\nb',
  '\t',
  '\u0085\u009b',
  '\u007f',
  '\u2028',
  '\ufeff',
];
/** Numbers, ids and dates that are not what they look like, and plain junk. */
const JUNK_STRINGS = [
  '%00',
  ' 16',
  '0x10',
  '1e1',
  '+16',
  '016',
  '16.0',
  '-1',
  '0',
  '1e20',
  '-0',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '9007199254740993',
  'yesterday',
  'x',
  '2026-02-30',
  '2026-13-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '99999-01-01',
  '2026-11-27T24:00:00Z',
  '',
  ' ',
  'null',
  'true',
  '[]',
  "' OR 1=1 --",
  '\\',
  '%',
  '_',
  '{{user.nickname}}',
  '../../etc/passwd',
  '𠮷'.repeat(3),
];
const anyCodePoints = fc.string({
  unit: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  maxLength: 12,
});
export const badString = fc.oneof(
  { weight: 4, arbitrary: withNul },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROL_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...JUNK_STRINGS) },
  { weight: 1, arbitrary: anyCodePoints },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(100_000), '设'.repeat(20_000)) },
);
const wrongType = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  [],
  {},
  ['a'],
  { a: 1 },
  [[[]]],
  { $ne: 1 },
  deepNest(64),
  deepNest(400),
);
export const badValue = fc.oneof({ weight: 3, arbitrary: badString }, { weight: 2, arbitrary: wrongType });
export const badKey = fc.constantFrom(
  'bogus',
  '__proto__',
  'constructor',
  '\u0000',
  'a'.repeat(300),
  'version',
);

export type RawBody = { text: string | Uint8Array; contentType: string };
const json = (text: string | Uint8Array): RawBody => ({ text, contentType: 'application/json' });
export const rawBodies = fc.oneof(
  fc.constantFrom<RawBody>(
    json('{'),
    json('{"a":'),
    json(''),
    json('null'),
    json('"\u0000"'),
    json('{"a":"\u0000"}'),
    json('\u0000'),
    json(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    json(`{"a":"${'x'.repeat(1_100_000)}"}`),
    { text: '{"a":1}', contentType: 'text/plain' },
    { text: 'a=%00&b=1', contentType: 'application/x-www-form-urlencoded' },
    { text: 'a=\u0000&sign=x', contentType: 'application/x-www-form-urlencoded' },
    { text: '<xml/>', contentType: 'application/xml' },
  ),
  // Deeper than anything recursive on the server could walk, with a valid-looking version so the nesting
  // is the only problem (a perform body's fields are hashed for its Idempotency-Key).
  fc.constantFrom<RawBody>(
    json(`{"version":1,"note":${'['.repeat(20_000)}${']'.repeat(20_000)}}`),
    json(`{"version":1,"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`),
  ),
);
