import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeLoginIdentifier } from './identifiers';

const toFullWidth = (s: string) =>
  [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');

describe('normalizeLoginIdentifier', () => {
  it('gives every spelling of a name the probe tried one form', () => {
    for (const spelling of [
      'client027',
      ' client027 ',
      'client027\t',
      '\u3000client027\u3000',
      'CLIENT027',
      'ｃｌｉｅｎｔ０２７',
      'client\u200b027',
      '\ufeffclient027\n',
    ])
      expect(normalizeLoginIdentifier(spelling), JSON.stringify(spelling)).toBe('client027');
  });

  it('gives a mainland mobile number one form whatever the prefix or separators', () => {
    for (const spelling of [
      '13800138000',
      '+86 138 0013 8000',
      '0086-138-0013-8000',
      '86 13800138000',
      '１３８００１３８０００',
    ])
      expect(normalizeLoginIdentifier(spelling), spelling).toBe('13800138000');
    // Not a mobile number: left as typed (trimmed, lowercased).
    expect(normalizeLoginIdentifier(' 8613800 ')).toBe('8613800');
  });

  it('folds an email address to lower case but keeps its characters', () => {
    expect(normalizeLoginIdentifier(' Li.Wei+jx@Example.CN ')).toBe('li.wei+jx@example.cn');
  });

  it('maps any padding, case and width of a valid username to the username in lower case', () => {
    const username = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{2,31}$/);
    const pad = fc.array(fc.constantFrom(' ', '\t', '\n', '\u3000', '\u00a0', '\u200b', '\ufeff'), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(username, pad, pad, fc.boolean(), fc.boolean(), (name, before, after, upper, wide) => {
        let spelled = upper ? name.toUpperCase() : name;
        if (wide) spelled = toFullWidth(spelled);
        const typed = before.join('') + spelled + after.join('');
        expect(normalizeLoginIdentifier(typed)).toBe(name.toLowerCase());
      }),
      { seed: 20261205, numRuns: 500 },
    );
  });
});
