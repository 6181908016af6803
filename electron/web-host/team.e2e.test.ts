import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreProcess } from './core-process';
import { CHROMIUM, freePort, launchChromium, signInOnPage, startDemoCore, WAIT } from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';
import { SESSION_COOKIE } from './server';
import { type ConsoleStack, startConsoleStack } from './stack';

/**
 * One web host for a team: two staff in two browser profiles (Chromium contexts) sign in side by side —
 * the demo moderator and the demo finance member — each in their own console; a third profile without the
 * cookie, and one with a stale or made-up cookie, get the sign-in page; one signing out leaves the other
 * signed in. Screenshots go to electron/test-artifacts/team-e2e/.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/team-e2e');
const MODERATOR = { username: 'moderator', nickname: '审核专员小周' };
const FINANCE = { username: 'finance1', nickname: '财务-陈会计' };

const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'several staff on one web host, in a browser'
    : `several staff on one web host — SKIPPED: ${CHROMIUM} is not installed`,
  () => {
    let tmp: string;
    let core: CoreProcess | null = null;
    let stack: ConsoleStack;
    let browser: Browser;
    const problems: string[] = [];

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-team-e2e-'));
      await ensureRendererBuilt();
      core = await startDemoCore({
        port: await freePort(),
        sandboxPort: await freePort(),
        dataDir: path.join(tmp, 'core'),
        logFile: path.join(ARTIFACTS, 'core.log'),
        env: { SIMULATE: '0' },
      });
      stack = await startConsoleStack({
        coreUrl: core.url,
        dataDir: path.join(tmp, 'console'),
        log: (line) => fs.appendFileSync(path.join(ARTIFACTS, 'console.log'), `${line}\n`),
      });
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await core?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** A browser profile of its own: its own cookie jar and storage. */
    const profile = async (name: string): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const page = await context.newPage();
      page.on('pageerror', (err) => problems.push(`${name} pageerror: ${err.message}`));
      return { context, page };
    };
    const sessionCookie = async (context: BrowserContext) =>
      (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    /** The profile's session cookie once it is no longer `old` (the page reconnects for it after a sign-in). */
    const cookieOtherThan = async (context: BrowserContext, old: string | undefined) => {
      const deadline = Date.now() + WAIT.timeout;
      for (;;) {
        const now = await sessionCookie(context);
        if (now && now.value !== old) return now;
        if (Date.now() > deadline) throw new Error(`the session cookie stayed ${String(old)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    const who = (page: Page, nickname: string) =>
      page.getByTestId('session-user').filter({ hasText: nickname }).waitFor(WAIT);
    const signInPage = (page: Page) => page.getByTestId('login-name').waitFor(WAIT);

    it('two members side by side, each in their own console; no cookie or a wrong one gets the sign-in page', async () => {
      const a = await profile('moderator');
      const b = await profile('finance');

      // The cookie a profile holds before signing in is not the one it holds after (session fixation).
      await a.page.goto(stack.host.url);
      await signInPage(a.page);
      const beforeSignIn = await sessionCookie(a.context);
      expect(beforeSignIn).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      await signInOnPage(a.page, stack.host.url, MODERATOR.username);
      await signInOnPage(b.page, stack.host.url, FINANCE.username);
      await who(a.page, MODERATOR.nickname);
      await who(b.page, FINANCE.nickname);
      const moderatorCookie = await cookieOtherThan(a.context, beforeSignIn?.value);
      const financeCookie = await sessionCookie(b.context);
      expect(financeCookie?.value).toBeTruthy();
      expect(financeCookie?.value).not.toBe(moderatorCookie.value);

      // Each sees the workspaces of their own role, and their own name.
      await a.page.getByTestId('nav-listings').waitFor(WAIT);
      await b.page.getByTestId('nav-payouts').waitFor(WAIT);
      expect(await a.page.getByTestId('nav-payouts').count()).toBe(0);
      expect(await b.page.getByTestId('nav-listings').count()).toBe(0);
      expect(await b.page.getByTestId('session-user').textContent()).not.toContain(MODERATOR.nickname);
      await a.page.getByTestId('nav-listings').click();
      await a.page.locator('[data-testid^="case-row-"]').first().waitFor(WAIT);
      await b.page.getByTestId('nav-payouts').click();
      await b.page.locator('[data-testid^="case-row-"]').first().waitFor(WAIT);
      await shot(a.page, '01-moderator');
      await shot(b.page, '02-finance');

      // A reload keeps each in their own console.
      await a.page.reload();
      await who(a.page, MODERATOR.nickname);
      await b.page.reload();
      await who(b.page, FINANCE.nickname);

      // A third profile without the cookie gets the sign-in page, not anyone's console.
      const stranger = await profile('stranger');
      await stranger.page.goto(stack.host.url);
      await signInPage(stranger.page);
      expect(await stranger.page.getByTestId('session-user').count()).toBe(0);

      // The moderator's cookie from before the sign-in, and a made-up one, reach nobody's engine either.
      for (const [name, value] of [
        ['stale', beforeSignIn!.value],
        ['forged', 'Zm9yZ2VkLWNvb2tpZS12YWx1ZS1mb3ItdGhlLXRlc3Q'],
      ] as const) {
        const other = await profile(name);
        await other.context.addCookies([{ ...beforeSignIn!, value }]);
        await other.page.goto(stack.host.url);
        await signInPage(other.page);
        expect(await other.page.getByTestId('session-user').count()).toBe(0);
        expect((await sessionCookie(other.context))?.value).not.toBe(value);
        await shot(other.page, `03-${name}-cookie`);
        await other.context.close();
      }

      // The moderator signs out; finance is still signed in, also after a reload.
      await a.page.getByTestId('logout').click();
      await signInPage(a.page);
      await cookieOtherThan(a.context, moderatorCookie.value);
      await b.page.reload();
      await who(b.page, FINANCE.nickname);
      await b.page.locator('[data-testid="sync-state"][data-state="online"]').waitFor(WAIT);
      await shot(b.page, '04-finance-after-moderator-signed-out');

      expect(problems).toEqual([]);
    }, 300_000);

    it('a full host says so on the page, and lets the browser in once a place is free', async () => {
      const small = await startConsoleStack({
        coreUrl: core!.url,
        dataDir: path.join(tmp, 'console-small'),
        limits: { maxSessions: 1, idleMs: 1000 },
        log: (line) => fs.appendFileSync(path.join(ARTIFACTS, 'console-small.log'), `${line}\n`),
      });
      try {
        const first = await profile('first');
        await first.page.goto(small.host.url);
        await signInPage(first.page);

        const second = await profile('second');
        await second.page.goto(small.host.url);
        await second.page.getByText('控制台服务器已满').waitFor(WAIT);
        await shot(second.page, '05-host-full');
        expect(await second.page.getByTestId('login-name').count()).toBe(0);

        // The first browser goes away; its session nobody signed in to expires, and Retry lets the second in.
        await first.context.close();
        await new Promise((r) => setTimeout(r, 2500));
        await second.page.getByRole('button', { name: '重试' }).click();
        await signInPage(second.page);
        await signInOnPage(second.page, small.host.url, MODERATOR.username);
        await who(second.page, MODERATOR.nickname);
        await second.context.close();
      } finally {
        await small.close();
      }
    }, 180_000);
  },
);
