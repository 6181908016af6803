import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from './launch';

/**
 * The real desktop window, driven by Playwright: the built app opens its window and the page sees the
 * bridge and no Node. Needs the Electron binary, which cannot be downloaded on a machine without
 * internet — there the test is registered as skipped with the reason, never reported as passed.
 */
const electronDir = path.resolve(import.meta.dirname, '..');
const binary = findElectronBinary();

describe('desktop window (Playwright _electron)', () => {
  if (!binary) {
    it.skip('skipped: Electron binary not installed on this machine (its download host is unreachable); run on a machine with internet', () => {});
    return;
  }

  it('opens the console with the bridge exposed and Node hidden', { timeout: 120_000 }, async () => {
    const build = spawnSync(process.execPath, [path.join(electronDir, 'scripts/build.mjs')], {
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    expect(
      existsSync(path.resolve(electronDir, '../renderer/dist/index.html')),
      'build the renderer first',
    ).toBe(true);
    const userData = mkdtempSync(path.join(tmpdir(), 'jx-desktop-smoke-'));
    const app = await _electron.launch({
      executablePath: binary,
      args: [electronDir],
      env: { ...process.env, JX_USER_DATA_DIR: userData },
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle())).toMatch(
        /匠心运营台 Jiangxin Console/,
      );
      const globals = await page.evaluate(() => {
        const w = globalThis as unknown as Record<string, unknown>;
        return {
          jiangxin: typeof w['jiangxin'],
          call: typeof (w['jiangxin'] as { call?: unknown } | undefined)?.call,
          require: typeof w['require'],
          process: typeof w['process'],
        };
      });
      expect(globals).toEqual({
        jiangxin: 'object',
        call: 'function',
        require: 'undefined',
        process: 'undefined',
      });
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
