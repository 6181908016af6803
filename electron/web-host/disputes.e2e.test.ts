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
  signIn,
  signInOnPage,
  startDemoCore,
  WAIT,
} from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';
import { type ConsoleStack, startConsoleStack } from './stack';

/**
 * The dispute resolve form fits its pane in Debian's Chromium at the widths staff use (1280, 1440, 1920):
 * no sideways scroll, every button inside the pane, and the note's character counter never on top of the
 * error under it — with the split's field errors and the submit error showing, its widest state.
 * Screenshots go to electron/test-artifacts/disputes/.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/disputes');
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

type Box = { left: number; right: number; top: number; bottom: number };

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'the dispute resolve form in a browser'
    : `dispute form layout — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  () => {
    let tmp: string;
    let core: CoreProcess;
    let browser: Browser;
    let stack: ConsoleStack | undefined;
    const coreLog = path.join(ARTIFACTS, 'core.log');

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-disputes-'));
      await ensureRendererBuilt();
      core = await startDemoCore({
        port: await freePort(),
        sandboxPort: await freePort(),
        dataDir: path.join(tmp, 'core'),
        logFile: coreLog,
      });
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await core?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('fits the pane at 1280, 1440 and 1920: no sideways scroll, buttons visible, counter clear of the error', async () => {
      const moderator = await signIn(core.url, 'moderator');
      const list = await api<{ items: { id: number; stage: string }[] }>(
        core.url,
        'GET',
        '/ops/cases?kind=dispute&status=open&limit=50',
        { token: moderator.accessToken },
      );
      const dispute = list.items.find((c) => c.stage === 'open');
      expect(dispute, 'the demo seed leaves an open dispute').toBeDefined();

      stack = await startConsoleStack({
        coreUrl: core.url,
        dataDir: path.join(tmp, 'console-moderator'),
        log: (line) => fs.appendFileSync(path.join(ARTIFACTS, 'console.log'), `${line}\n`),
      });
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const page: Page = await context.newPage();
      await signInOnPage(page, stack.host.url, 'moderator');
      await page.goto(`${new URL(page.url()).origin}/#/moderation/disputes/${dispute!.id}`);
      await page.getByTestId('case-detail').waitFor(WAIT);
      const claim = page.getByTestId('case-detail-claim-button');
      if (await claim.isVisible()) {
        await claim.click();
        await page.getByTestId('case-detail-holder').filter({ hasText: '我处理中' }).waitFor(WAIT);
      }
      await page.getByTestId('dispute-pane').waitFor(WAIT);
      await page.getByTestId('dispute-outcome-split').check();
      await page.getByTestId('dispute-split-refund').fill('139.005');
      await page.getByTestId('dispute-split-release').fill('-1');
      await page.getByTestId('dispute-note').fill('双方各有责任，按完成比例分配。'.repeat(4));
      await page.getByTestId('dispute-resolve').click();
      await page.getByTestId('dispute-resolve-error').waitFor(WAIT);
      expect(await page.getByTestId('dispute-split-status').textContent()).toContain('金额最多两位小数');

      for (const width of [1280, 1440, 1920]) {
        await page.setViewportSize({ width, height: 900 });
        await page.getByTestId('dispute-resolve').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(ARTIFACTS, `resolve-form-${width}.png`) });
        // Runs in the page; the electron project has no DOM typings, so elements are typed by what is used.
        const layout = await page.getByTestId('dispute-resolve-form').evaluate((form) => {
          type Boxed = { getBoundingClientRect(): Box };
          const box = (el: Boxed | null): Box | null => {
            if (!el) return null;
            const r = el.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          };
          const pane = form.closest('[data-testid="case-detail"]')!;
          const sideways = (el: { scrollWidth: number; clientWidth: number }) =>
            el.scrollWidth - el.clientWidth;
          // Every scrolling box from the form up to the pane: none may scroll sideways.
          const overflowing: string[] = [];
          for (let el: typeof pane | null = form; el && el !== pane.parentElement; el = el.parentElement)
            if (sideways(el) > 1) overflowing.push(`${el.tagName}.${el.className} +${sideways(el)}px`);
          return {
            overflowing,
            pane: box(pane)!,
            buttons: [...form.querySelectorAll('button')].map((b) => ({
              text: b.textContent ?? '',
              box: box(b)!,
            })),
            counter: box(form.querySelector('.ant-input-data-count')),
            error: box(form.querySelector('[data-testid="dispute-resolve-error"]')),
          };
        });
        expect(layout.overflowing, `sideways scroll at ${width}`).toEqual([]);
        for (const b of layout.buttons) {
          expect(b.box.left, `${b.text} at ${width}`).toBeGreaterThanOrEqual(layout.pane.left - 1);
          expect(b.box.right, `${b.text} at ${width}`).toBeLessThanOrEqual(layout.pane.right + 1);
        }
        expect(layout.counter).not.toBeNull();
        expect(layout.error).not.toBeNull();
        const c = layout.counter!;
        const e = layout.error!;
        const overlap = c.left < e.right && e.left < c.right && c.top < e.bottom && e.top < c.bottom;
        expect(overlap, `counter over the error at ${width}`).toBe(false);
      }
    }, 300_000);
  },
);
