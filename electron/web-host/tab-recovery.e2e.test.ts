import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreProcess } from './core-process';
import {
  CHROMIUM,
  freePort,
  launchChromium,
  PASSWORD,
  signInOnPage,
  startDemoCore,
  WAIT,
} from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';
import { type ConsoleStack, startConsoleStack } from './stack';

/**
 * A browser tab left open while the web host restarts (same port, a new per-launch key), in Debian's
 * Chromium: the page says the console service stopped, then that its key is no longer valid, and pasting
 * the new address into that same tab — only the fragment changes, so the page is not loaded again —
 * brings the console back; a reload afterwards keeps the new key. Screenshots of each step go to
 * electron/test-artifacts/tab-recovery-e2e/.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/tab-recovery-e2e');
const MODERATOR_NICKNAME = '审核专员小周';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

const syncState = (page: Page, state: string) =>
  page.locator(`[data-testid="sync-state"][data-state="${state}"]`);
const banner = (page: Page, state: string) =>
  page.locator(`[data-testid="link-banner"][data-state="${state}"]`);

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'an open tab after the web host restarted'
    : `tab recovery — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  () => {
    let tmp: string;
    let browser: Browser;
    let core: CoreProcess;
    let stack: ConsoleStack | null = null;
    let page: Page;
    const pageProblems: string[] = [];
    const consoleLog = path.join(ARTIFACTS, 'console.log');

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-tab-recovery-e2e-'));
      await ensureRendererBuilt();
      core = await startDemoCore({
        port: await freePort(),
        sandboxPort: await freePort(),
        dataDir: path.join(tmp, 'core'),
        logFile: path.join(ARTIFACTS, 'core.log'),
        env: { SIMULATE: '0' },
      });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await core?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    let shot = 0;
    /** Runs one step and screenshots the page after it (and on failure, under the step's name). */
    const step = async (name: string, body: () => Promise<void>) => {
      shot += 1;
      const file = `${String(shot).padStart(2, '0')}-${name}`;
      try {
        await body();
      } catch (err) {
        await page.screenshot({ path: path.join(ARTIFACTS, `${file}-FAILED.png`) }).catch(() => {});
        throw err;
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `${file}.png`) });
    };

    /** The engine and the web host, as a restart of the web host's process brings them up. */
    const startStack = (port: number) =>
      startConsoleStack({
        coreUrl: core.url,
        dataDir: path.join(tmp, 'console'),
        port,
        log: (line) => fs.appendFileSync(consoleLog, `${line}\n`),
      });

    it('says the service stopped, and takes the new address pasted into the same tab', async () => {
      stack = await startStack(0);
      const { port } = stack.host;

      await step('signed-in', async () => {
        await signInOnPage(page, stack!.host.url, 'moderator');
        // Marks this document: a reload would lose it.
        await page.evaluate(() => {
          (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
        });
      });

      await step('host-stopped', async () => {
        await stack!.close();
        stack = null;
        const stopped = banner(page, 'stopped');
        await stopped.waitFor(WAIT);
        expect(await stopped.textContent()).toContain('控制台服务已停止');
      });

      let newUrl = '';
      await step('host-restarted-old-key-refused', async () => {
        stack = await startStack(port);
        newUrl = stack.host.url;
        await banner(page, 'refused').waitFor(WAIT);
      });

      await step('new-address-pasted', async () => {
        // What a person does: the new address into this tab's address bar. Same origin, another
        // fragment: the browser does not load the page again.
        await page.goto(newUrl);
        expect(
          await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument),
        ).toBe(true);
        await page.getByTestId('link-banner').waitFor({ ...WAIT, state: 'detached' });
        // The restarted host's engine holds no session yet: its login page, then the console.
        await page.getByTestId('login-name').fill('moderator');
        await page.getByTestId('login-password').fill(PASSWORD);
        await page.getByTestId('login-submit').click();
        await syncState(page, 'online').waitFor(WAIT);
        await page.getByTestId('session-user').filter({ hasText: MODERATOR_NICKNAME }).waitFor(WAIT);
        expect(page.url()).not.toContain('key=');
      });

      await step('reloaded', async () => {
        // The tab now keeps the new key, not the stale one it stored before.
        await page.reload();
        await page.getByTestId('session-user').filter({ hasText: MODERATOR_NICKNAME }).waitFor(WAIT);
        await syncState(page, 'online').waitFor(WAIT);
        expect(await page.getByTestId('link-banner').count()).toBe(0);
      });
      expect(pageProblems).toEqual([]);
    }, 300_000);
  },
);
