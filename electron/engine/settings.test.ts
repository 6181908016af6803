import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SAVED_VIEWS, type QueueViewState } from '@jiangxin/shared/console/views';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsFile, TooManyViews } from './settings';

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

  it('keeps saved views per person and per queue across a restart, replacing a view of the same name', () => {
    const urgent: QueueViewState = {
      filters: { priorityAtLeast: 3, assignee: 'me' },
      sort: 'sla',
      columns: ['id', 'title', 'sla'],
    };
    const first = new SettingsFile(dir, 'http://core');
    first.saveView(7, 'disputes', '我的紧急纠纷', urgent, new Date('2026-11-27T01:00:00Z'));
    first.saveView(7, 'disputes', '大额', { ...urgent, filters: { minAmountFen: 500_000 } }, new Date());
    first.saveView(7, 'disputes', '我的紧急纠纷', { ...urgent, sort: '-amount' }, new Date());
    first.saveView(8, 'disputes', '同事的视图', urgent, new Date());

    const again = new SettingsFile(dir, 'http://core');
    expect(again.views(7, 'disputes').map((v) => [v.name, v.sort])).toEqual([
      ['大额', 'sla'],
      ['我的紧急纠纷', '-amount'],
    ]);
    expect(again.views(7, 'payouts')).toEqual([]);
    expect(again.views(8, 'disputes').map((v) => v.name)).toEqual(['同事的视图']);
    expect(again.deleteView(7, 'disputes', '大额').map((v) => v.name)).toEqual(['我的紧急纠纷']);
  });

  it('refuses a view beyond the limit and drops a damaged saved view without losing the others', () => {
    const file = new SettingsFile(dir, 'http://core');
    const state: QueueViewState = { filters: {}, sort: 'sla', columns: ['id'] };
    for (let i = 0; i < MAX_SAVED_VIEWS; i++) file.saveView(1, 'listings', `视图${i}`, state, new Date());
    expect(() => file.saveView(1, 'listings', '再一个', state, new Date())).toThrow(TooManyViews);
    // Replacing an existing name is still allowed at the limit.
    expect(file.saveView(1, 'listings', '视图0', state, new Date())).toHaveLength(MAX_SAVED_VIEWS);

    const raw = JSON.parse(readFileSync(join(dir, 'console.json'), 'utf8'));
    raw.views['1'].listings[3] = { name: '', sort: 'nonsense' };
    writeFileSync(join(dir, 'console.json'), JSON.stringify(raw));
    expect(new SettingsFile(dir, 'http://core').views(1, 'listings')).toHaveLength(MAX_SAVED_VIEWS - 1);
  });
});
