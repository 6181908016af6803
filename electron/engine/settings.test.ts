import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsFile } from './settings';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jx-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the console settings file', () => {
  it('starts from the defaults and keeps what is changed across a restart', () => {
    const first = new SettingsFile(dir, 'http://127.0.0.1:3000');
    expect(first.get()).toMatchObject({
      coreUrl: 'http://127.0.0.1:3000',
      locale: 'zh-CN',
      lastSession: null,
    });
    first.update({ locale: 'en', coreUrl: 'http://127.0.0.1:3917' });
    const again = new SettingsFile(dir, 'http://127.0.0.1:3000');
    expect(again.get()).toMatchObject({ locale: 'en', coreUrl: 'http://127.0.0.1:3917' });
    expect(JSON.parse(readFileSync(join(dir, 'console.json'), 'utf8'))).toMatchObject({ locale: 'en' });
  });

  it('a damaged or hand-edited file falls back to the defaults instead of stopping the console', () => {
    writeFileSync(join(dir, 'console.json'), '{"locale": "en", ');
    expect(new SettingsFile(dir, 'http://core').get()).toMatchObject({
      locale: 'zh-CN',
      coreUrl: 'http://core',
    });
    writeFileSync(join(dir, 'console.json'), JSON.stringify({ locale: 'klingon', coreUrl: 'http://other' }));
    expect(new SettingsFile(dir, 'http://core').get()).toMatchObject({
      locale: 'zh-CN',
      coreUrl: 'http://core',
    });
  });
});
