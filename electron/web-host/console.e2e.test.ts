import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreProcess } from './core-process';
import {
  api,
  CHROMIUM,
  freePort,
  launchChromium,
  PASSWORD,
  signIn,
  startDemoCore,
  submitListing,
  WAIT,
} from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';
import { startWebHost } from './server';
import { type ConsoleStack, RENDERER_DIST, startConsoleStack } from './stack';

/**
 * The console in Chromium against a real core: sign in, see the synced queue, see a case opened by a
 * marketplace user appear live, lose the core (offline, list still there), claim while offline (queued in
 * the outbox), get the core back (online, outbox drained, the claim applied on the core).
 *
 * Uses the system Chromium (never downloads one) and skips when it is missing. Screenshots of every step
 * go to electron/test-artifacts/console-e2e/, with the core's and the engine's output.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/console-e2e');
const MODERATOR_NICKNAME = '审核专员小周';

const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'console in a browser against a real core'
    : `console in a browser — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  () => {
    let tmp: string;
    let corePort: number;
    let sandboxPort: number;
    let core: CoreProcess | null = null;
    let stack: ConsoleStack;
    let browser: Browser;
    let page: Page;
    const pageProblems: string[] = [];
    const coreLog = path.join(ARTIFACTS, 'core.log');
    const consoleLog = path.join(ARTIFACTS, 'console.log');

    /** The core on the same port and data folder each time: a restart, not a new core. */
    const startCore = async () => {
      core = await startDemoCore({
        port: corePort,
        sandboxPort,
        dataDir: path.join(tmp, 'core'),
        logFile: coreLog,
        env: { SIMULATE: '0' },
      });
    };

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-console-e2e-'));
      [corePort, sandboxPort] = [await freePort(), await freePort()];
      await ensureRendererBuilt();
      await startCore();
      stack = await startConsoleStack({
        coreUrl: core!.url,
        dataDir: path.join(tmp, 'console'),
        log: (line) => fs.appendFileSync(consoleLog, `${line}\n`),
      });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageProblems.push(`console: ${msg.text()}`);
      });
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
        await page.screenshot({ path: path.join(ARTIFACTS, `${file}-FAILED.png`), fullPage: true });
        throw err;
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `${file}.png`), fullPage: true });
    };

    const syncState = (state: string) => page.locator(`[data-testid="sync-state"][data-state="${state}"]`);
    const rows = () => page.locator('[data-testid^="case-row-"]');

    it('signs in, syncs, shows live cases, queues a claim offline and sends it on reconnect', async () => {
      const titleZh = `端到端测试服务${Date.now().toString(36)}`;
      let caseId = 0;

      await step('login-refused', async () => {
        await page.goto(stack.host.url);
        await page.getByTestId('login-submit').waitFor(WAIT);
        // The key left the address bar (it is kept in sessionStorage for reloads).
        expect(page.url()).not.toContain('key=');
        expect(await page.getByTestId('login-core-url').inputValue()).toBe(core!.url);
        await page.getByTestId('login-name').fill('moderator');
        await page.getByTestId('login-password').fill('wrong-password');
        await page.getByTestId('login-submit').click();
        await page.getByTestId('login-error').waitFor(WAIT);
      });

      await step('signed-in', async () => {
        await page.getByTestId('login-password').fill(PASSWORD);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('session-user').filter({ hasText: MODERATOR_NICKNAME }).waitFor(WAIT);
      });

      await step('synced-queue', async () => {
        await syncState('online').waitFor(WAIT);
        await rows().first().waitFor(WAIT);
        // The moderator lands on the listing-review queue.
        await page.getByRole('heading', { name: '服务审核' }).waitFor(WAIT);
        await page.getByTestId('outbox-empty').waitFor(WAIT);
      });

      await step('english', async () => {
        // The language switch: navigation, headings and the page's lang follow; back to Chinese after.
        await page.getByTestId('locale-toggle').click();
        await page.getByRole('heading', { name: 'Listing review' }).waitFor(WAIT);
        await page.getByTestId('nav-reports').filter({ hasText: 'Reports' }).waitFor(WAIT);
        expect(await page.locator('html').getAttribute('lang')).toBe('en');
        await page.getByTestId('locale-toggle').click();
        await page.getByRole('heading', { name: '服务审核' }).waitFor(WAIT);
        expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      });

      await step('live-case', async () => {
        const before = await rows().count();
        await submitListing(core!.url, titleZh);
        const row = rows().filter({ hasText: titleZh });
        await row.waitFor(WAIT);
        caseId = Number((await row.getAttribute('data-testid'))?.replace('case-row-', ''));
        expect(caseId).toBeGreaterThan(0);
        expect(await rows().count()).toBeGreaterThan(before);
        expect(await row.textContent()).toContain('待处理');
      });

      await step('search', async () => {
        const all = await rows().count();
        await page.getByTestId('case-search').fill('端到端测试');
        await expect.poll(() => rows().count(), WAIT).toBe(1);
        await rows().filter({ hasText: titleZh }).waitFor(WAIT);
        await page.getByTestId('case-search').fill('');
        await expect.poll(() => rows().count(), WAIT).toBe(all);
      });

      await step('core-stopped', async () => {
        await core!.stop();
        await syncState('offline').waitFor(WAIT);
        // The queue is the engine's offline cache: it stays on screen through the outage.
        expect(await rows().count()).toBeGreaterThan(0);
        await rows().filter({ hasText: titleZh }).waitFor(WAIT);
      });

      await step('claim-queued', async () => {
        await page.getByTestId(`case-claim-${caseId}`).click();
        const pending = page.getByTestId(`case-pending-${caseId}`);
        await pending.waitFor(WAIT);
        expect(await pending.textContent()).toBe('待发送');
        const item = page.locator(`[data-testid^="outbox-item-"][data-case-id="${caseId}"]`);
        await item.waitFor(WAIT);
        expect(await item.getAttribute('data-state')).toBe('pending');
      });

      await step('core-restarted', async () => {
        await startCore();
        await syncState('online').waitFor(WAIT);
        await page.getByTestId('outbox-empty').waitFor(WAIT);
        // The row says the case is mine now (the core's check below names the holder).
        await page.getByTestId(`case-assignee-${caseId}`).filter({ hasText: '我处理中' }).waitFor(WAIT);
        expect(await page.getByTestId(`case-pending-${caseId}`).count()).toBe(0);
      });

      // The claim reached the core, not only the page: ask the core as the moderator.
      const moderator = await signIn(core!.url, 'moderator');
      const detail = await api<{ case: { assigneeId: number | null; assigneeName: string | null } }>(
        core!.url,
        'GET',
        `/ops/cases/${caseId}`,
        { token: moderator.accessToken },
      );
      expect(detail.case.assigneeId).toBe(moderator.user.id);
      expect(detail.case.assigneeName).toBe(MODERATOR_NICKNAME);

      // No script error and no CSP violation on the way.
      expect(pageProblems).toEqual([]);

      await step('reloaded', async () => {
        // The key now comes from sessionStorage, and the engine still holds the session.
        await page.reload();
        await page.getByTestId('session-user').filter({ hasText: MODERATOR_NICKNAME }).waitFor(WAIT);
        await syncState('online').waitFor(WAIT);
      });

      await step('web-host-restarted', async () => {
        // A restarted web host draws a new key: the open tab is told to use the new address.
        const { port } = stack.host;
        await stack.host.close();
        await page.locator('[data-testid="link-banner"][data-state="reconnecting"]').waitFor(WAIT);
        const again = await startWebHost({ engine: stack.engine, rendererDir: RENDERER_DIST, port });
        try {
          await page.locator('[data-testid="link-banner"][data-state="refused"]').waitFor(WAIT);
        } finally {
          await again.close();
        }
      });
    }, 300_000);
  },
);
