import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreProcess } from './core-process';
import {
  api,
  axeScan,
  CHROMIUM,
  chooseOption,
  freePort,
  launchChromium,
  signIn,
  signInOnPage,
  startDemoCore,
  submitListing,
  WAIT,
} from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';
import { type ConsoleStack, startConsoleStack } from './stack';

/**
 * Five console workflows of issue 13, each with the bug on screen, in Debian's Chromium through the web
 * host against the demo core (one core, one console stack, one browser for the file; Chinese, 1440×900):
 * saved views stay in their queue (3), 我的待办 lists what I hold and the header agrees (4), the pane
 * moves to the case below after a decision and `?` lists the pane's keys (7), money is confirmed before
 * it is sent and batch approve leaves out what the core would refuse (8), and a case never opened here
 * says it is not available offline and loads by itself when the core is back (9). Every screen visited
 * passes the axe scan (no serious or critical violation). Screenshots go to
 * electron/test-artifacts/workflows/.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/workflows');
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
/** The view saved in 服务审核. */
const VIEW_NAME = '高优先级';
/** The moderator's queues' kinds (我的待办 lists these for a moderator; no support chats). */
const MODERATOR_KINDS = 'listing_review,report,dispute';

interface CaseSummaryView {
  id: number;
  kind: string;
  status: string;
  stage: string;
  priority: number;
  flags: string[];
  assigneeId: number | null;
  userId: number | null;
  amountFen: number | null;
}
interface CaseView {
  case: CaseSummaryView;
  detail: unknown;
}
interface PayoutDetail {
  payout: { status: string; amountFen: number; requiredApprovals: number; account: { name: string } };
  approvals: { staffId: number }[];
}

/** A fen amount as the console prints it: ¥6,000.00. */
const yuan = (fen: number) =>
  `¥${Math.floor(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'console workflows in a browser against the demo core'
    : `console workflows — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  () => {
    let tmp: string;
    let core: CoreProcess;
    let corePort: number;
    let sandboxPort: number;
    let browser: Browser;
    let stack: ConsoleStack;
    let page: Page;
    const pageProblems: string[] = [];
    const coreLog = path.join(ARTIFACTS, 'core.log');

    const startCore = () =>
      startDemoCore({
        port: corePort,
        sandboxPort,
        dataDir: path.join(tmp, 'core'),
        logFile: coreLog,
        env: { SIMULATE: '0' },
      });

    /** A member's own browser context (own cookie, so own engine behind the one web host), signed in. */
    const signedIn = async (username: string): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const p = await context.newPage();
      p.on('pageerror', (err) => pageProblems.push(`${username} pageerror: ${err.message}`));
      await signInOnPage(p, stack.host.url, username);
      return { context, page: p };
    };

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-workflows-'));
      await ensureRendererBuilt();
      corePort = await freePort();
      sandboxPort = await freePort();
      core = await startCore();
      browser = await launchChromium();
      stack = await startConsoleStack({
        coreUrl: core.url,
        dataDir: path.join(tmp, 'console'),
        log: (line) => fs.appendFileSync(path.join(ARTIFACTS, 'console.log'), `${line}\n`),
      });
      ({ page } = await signedIn('moderator'));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await core?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    let shot = 0;
    /** Runs one step and screenshots the page after it (and on failure, under the step's name). */
    const step = async (p: Page, name: string, body: () => Promise<void>) => {
      shot += 1;
      const file = `${String(shot).padStart(2, '0')}-${name}`;
      try {
        await body();
      } catch (err) {
        await p.screenshot({ path: path.join(ARTIFACTS, `${file}-FAILED.png`) }).catch(() => {});
        throw err;
      }
      await p.screenshot({ path: path.join(ARTIFACTS, `${file}.png`) });
    };

    /**
     * The axe scan of what `p` shows now: the serious and critical violations, named. It found the open
     * case's row below 4.5:1 (未认领 and 我处理中 on --row-open); styles.css darkens them there now.
     */
    const scan = (p: Page, name: string) => axeScan(p, name, ARTIFACTS);

    /** Staff members' ids and tokens on the core, signed in once each (argon2 is slow on purpose). */
    const staff = new Map<string, { accessToken: string; user: { id: number } }>();
    const member = async (username: string) => {
      const known = staff.get(username);
      if (known) return known;
      const fresh = await signIn(core.url, username);
      staff.set(username, fresh);
      return fresh;
    };
    const staffGet = async <T>(username: string, pathname: string): Promise<T> => {
      const { accessToken } = await member(username);
      return api<T>(core.url, 'GET', pathname, { token: accessToken });
    };
    const origin = () => new URL(page.url()).origin;
    const goTo = (p: Page, route: string) => p.goto(`${new URL(p.url()).origin}/#${route}`);
    /** The queue's "共 N 条" as a number (null while it is not shown). */
    const total = async (p: Page) => {
      const text = await p
        .getByTestId('case-total')
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      const m = text ? /共\s*([\d,]+)\s*条/.exec(text) : null;
      return m ? Number(m[1]!.replace(/,/g, '')) : null;
    };
    /** The case ids of the queue's rows, in the order shown. */
    const rowIds = (p: Page) =>
      p
        .locator('[data-testid^="case-row-"]')
        .evaluateAll((rows) =>
          rows.map((r) => Number((r.getAttribute('data-testid') ?? '').replace('case-row-', ''))),
        );
    /** The Filters button with its badge: the button's words alone when no filter is set. */
    const filterBadge = (p: Page) => p.getByTestId('queue-filters').locator('xpath=..');
    const openPane = (p: Page, id: number) => p.locator(`[data-testid="case-detail"][data-case-id="${id}"]`);
    /** Claims the open case in its frame when it is not mine yet. */
    const claimOpen = async (p: Page) => {
      const claim = p.getByTestId('case-detail-claim-button');
      if (await claim.isVisible()) {
        await claim.click();
        await p.getByTestId('case-detail-holder').filter({ hasText: '我处理中' }).waitFor(WAIT);
      }
    };

    // Problem 3. Before the fix one queue component served every workspace: the view, its filters and
    // the search survived the switch to 纠纷仲裁, so the disputes queue opened with 高优先级 active, the
    // badge at 1 and "共 0 条" (or a count narrowed by priority). The assertions on `queue-views` reading
    // 默认视图, the bare 筛选 button and the disputes total equal to the core's unfiltered count would
    // have failed there.
    it('a saved view stays in its queue: 纠纷仲裁 opens unfiltered, 服务审核 still offers the view', async () => {
      const problems: string[] = [];
      const disputes = await staffGet<{ items: CaseSummaryView[] }>(
        'moderator',
        '/ops/cases?kind=dispute&status=open,waiting&limit=100',
      );
      const allDisputes = disputes.items.length;
      expect(allDisputes, 'the demo seed has open disputes').toBeGreaterThan(0);

      let filteredListings: number | null = null;
      await step(page, 'listings-filtered-and-saved', async () => {
        await goTo(page, '/moderation/listings');
        await expect.poll(() => total(page), WAIT).not.toBeNull();
        await page.getByTestId('queue-filters').click();
        await page.getByTestId('filter-form').waitFor(WAIT);
        await chooseOption(page, page.getByLabel('最低优先级', { exact: true }), '高');
        // Close the popover: a click on the queue's heading.
        await page.locator('.queue-toolbar h2').click();
        await expect.poll(() => filterBadge(page).textContent(), WAIT).not.toBe('筛选');
        filteredListings = await total(page);
        await page.getByTestId('queue-view-menu').click();
        await page.getByTestId('view-name').fill(VIEW_NAME);
        await page.getByTestId('view-save').click();
        await page.getByText(`已保存视图“${VIEW_NAME}”`).waitFor(WAIT);
        await page.locator('.queue-toolbar h2').click();
        await expect.poll(() => page.getByTestId('queue-views').textContent(), WAIT).toContain(VIEW_NAME);
        problems.push(...(await scan(page, 'listings-filtered')));
      });

      await step(page, 'disputes-unfiltered', async () => {
        await page.getByTestId('nav-disputes').click();
        await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('纠纷仲裁');
        await expect.poll(() => total(page), WAIT).toBe(allDisputes);
        expect(await page.getByTestId('queue-views').textContent()).toContain('默认视图');
        expect(await page.getByTestId('queue-views').textContent()).not.toContain(VIEW_NAME);
        expect(await filterBadge(page).textContent()).toBe('筛选');
        expect(await page.getByTestId('queue-empty').count()).toBe(0);
        problems.push(...(await scan(page, 'disputes')));
      });

      await step(page, 'listings-view-offered', async () => {
        await page.getByTestId('nav-listings').click();
        await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('服务审核');
        // A fresh queue on its default view; the saved one is offered and brings the filter back.
        expect(await page.getByTestId('queue-views').textContent()).toContain('默认视图');
        await chooseOption(page, page.getByTestId('queue-views'), VIEW_NAME);
        await expect.poll(() => filterBadge(page).textContent(), WAIT).not.toBe('筛选');
        await expect.poll(() => total(page), WAIT).toBe(filteredListings);
        // Back to the default view for the tests after this one.
        await chooseOption(page, page.getByTestId('queue-views'), '默认视图');
        await expect.poll(() => filterBadge(page).textContent(), WAIT).toBe('筛选');
      });
      expect(problems).toEqual([]);
    }, 120_000);

    // Problem 4. Before the fix 我的待办 was the same queue instance as the one left, so the search typed in
    // 举报处理 came along (the search box not empty, rows missing), and its "assigned to me" was an ordinary
    // filter a saved view or 清除筛选 dropped, listing unclaimed cases; the header counted every unresolved
    // case held, support chats included (for a moderator that count happened to agree). The assertions on
    // the empty search box and on the rows being exactly the cases the core says I hold would have failed.
    it('我的待办 lists exactly the cases I hold, the header agrees, and no other queue’s search comes along', async () => {
      const problems: string[] = [];
      const me = (await member('moderator')).user.id;
      const claimed: number[] = [];

      await step(page, 'reports-two-claimed', async () => {
        await page.getByTestId('nav-reports').click();
        await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('举报处理');
        const claims = page.locator('[data-testid^="case-claim-"]');
        await claims.first().waitFor(WAIT);
        expect(await claims.count(), 'the demo seed has two unclaimed reports').toBeGreaterThanOrEqual(2);
        for (const i of [0, 1]) {
          const id = Number((await claims.nth(0).getAttribute('data-testid'))!.replace('case-claim-', ''));
          await claims.nth(0).click();
          await page.getByTestId(`case-assignee-${id}`).filter({ hasText: '我处理中' }).waitFor(WAIT);
          claimed.push(id);
          expect(claimed).toHaveLength(i + 1);
        }
        // On the core too, as that member.
        for (const id of claimed)
          await expect
            .poll(
              async () => (await staffGet<CaseView>('moderator', `/ops/cases/${id}`)).case.assigneeId,
              WAIT,
            )
            .toBe(me);
        // Something typed in this queue's search box, then left.
        await page.getByTestId('case-search').fill('这段搜索词只属于举报处理');
        await expect.poll(() => total(page), WAIT).toBe(0);
      });

      await step(page, 'my-work', async () => {
        const held = await staffGet<{ items: CaseSummaryView[] }>(
          'moderator',
          `/ops/cases?assignee=me&status=open,waiting&kind=${MODERATOR_KINDS}&limit=100`,
        );
        const expected = held.items.map((c) => c.id).sort((a, b) => a - b);
        expect(expected).toEqual(expect.arrayContaining(claimed));

        await page.getByTestId('nav-mine').click();
        await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('我的待办');
        expect(await page.getByTestId('case-search').inputValue()).toBe('');
        await expect.poll(() => total(page), WAIT).toBe(expected.length);
        await expect.poll(async () => (await rowIds(page)).sort((a, b) => a - b), WAIT).toEqual(expected);
        // No unclaimed case, nobody else's: every row says 我处理中.
        expect(await page.locator('[data-testid^="case-claim-"]').count()).toBe(0);
        expect(await page.getByTestId(/^case-assignee-/).allTextContents()).toEqual(
          expected.map(() => '我处理中'),
        );
        await expect
          .poll(() => page.getByTestId('count-assigned').textContent(), WAIT)
          .toBe(`我的待办 ${expected.length}`);
        problems.push(...(await scan(page, 'my-work')));
      });
      expect(problems).toEqual([]);
    }, 120_000);

    // Problem 7. Before the fix a reject closed the pane whenever the queue re-read before the core's
    // answer (the decided case was gone from the rows, so "next" was not found), and after some decisions
    // the pane went back to an earlier case; the `?` list left out a pane's a/r/c while the action was not
    // possible yet. The waits for the pane on the case below (after r and after a) and the check of the
    // `?` list for Esc, a, r and c would have failed.
    it('after reject and after `a` the pane moves to the case below; `?` lists Esc and a/r/c', async () => {
      const problems: string[] = [];
      await goTo(page, '/moderation/listings');
      await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('服务审核');
      await expect.poll(() => total(page), WAIT).not.toBeNull();
      // Four pending listings at least: the middle one rejected, the one below it approved, one more below.
      const have = (await total(page)) ?? 0;
      for (let i = have; i < 4; i++)
        await submitListing(core.url, `移动测试服务${i}${Date.now().toString(36)}`);
      await expect.poll(() => total(page), WAIT).toBeGreaterThanOrEqual(4);

      let order: number[] = [];
      await step(page, 'middle-case-rejected', async () => {
        order = await rowIds(page);
        const [, middle, below] = order;
        await page.getByTestId(`case-row-${middle}`).click();
        await openPane(page, middle!).waitFor(WAIT);
        await claimOpen(page);
        await page.getByTestId('listing-review-pane').waitFor(WAIT);
        await page.getByTestId('reject-reason').selectOption('low_quality');
        await page.getByTestId('reject-note').fill('服务描述过于简单，请补充交付内容后重新提交。');
        await page.getByTestId('listing-reject').click();
        // Not closed, not an earlier case: the one that was below.
        await openPane(page, below!).waitFor(WAIT);
        expect(page.url()).toMatch(new RegExp(`/moderation/listings/${below}$`));
        await expect.poll(() => page.locator(`[data-testid="case-row-${middle}"]`).count(), WAIT).toBe(0);
      });

      await step(page, 'below-approved-with-a', async () => {
        const now = await rowIds(page);
        const at = now.indexOf(order[2]!);
        expect(at).toBeGreaterThanOrEqual(0);
        const next = now[at + 1];
        expect(next, 'a case below the one approved').toBeDefined();
        await claimOpen(page);
        await expect.poll(() => page.getByTestId('listing-approve').isEnabled(), WAIT).toBe(true);
        await page.locator('body').press('a');
        await openPane(page, next!).waitFor(WAIT);
        expect(page.url()).toMatch(new RegExp(`/moderation/listings/${next}$`));
        const onCore = await staffGet<CaseView>('moderator', `/ops/cases/${order[2]}`);
        expect(onCore.case.status).toBe('resolved');
        const rejected = await staffGet<CaseView>('moderator', `/ops/cases/${order[1]}`);
        expect(rejected.case.status).toBe('resolved');
        problems.push(...(await scan(page, 'listing-pane')));
      });

      await step(page, 'shortcut-list', async () => {
        await page.locator('body').press('?');
        const list = page.getByTestId('shortcut-list');
        await list.waitFor(WAIT);
        const keys = await list.locator('kbd').allTextContents();
        expect(keys).toEqual(expect.arrayContaining(['Esc', 'a', 'r', 'c']));
        problems.push(...(await scan(page, 'shortcut-list')));
        await page.keyboard.press('Escape');
        await list.waitFor({ ...WAIT, state: 'detached' });
      });
      expect(problems).toEqual([]);
    }, 150_000);

    // Problem 8. Before the fix ¥6,000 went with one click: `payout-approve` sent the approval at once, so
    // the wait for the confirmation dialog would have failed (and the core would have shown finance2's
    // approval). Batch approve sent every selected payout and only then listed the core's refusals, so the
    // `batch-will-fail` warning and the one-item confirm button would have failed.
    it('a large payout is confirmed with its amount and payee first; batch approve leaves out one I approved', async () => {
      const problems: string[] = [];
      const payouts = await staffGet<{ items: CaseSummaryView[] }>(
        'finance1',
        '/ops/cases?kind=payout&status=open&limit=100',
      );
      const big = payouts.items.find((c) => c.flags.includes('maker_checker'));
      expect(big, 'the demo seed leaves one large payout, approved by finance1').toBeDefined();
      const bigId = big!.id;
      const before = (await staffGet<CaseView>('finance2', `/ops/cases/${bigId}`)).detail as PayoutDetail;
      const finance1 = (await member('finance1')).user.id;
      const finance2 = (await member('finance2')).user.id;
      // At or above the two-approver threshold (settings' payoutSecondApprovalFen, ¥5,000 by default).
      expect(before.payout.requiredApprovals).toBe(2);
      expect(before.payout.amountFen).toBeGreaterThanOrEqual(500_000);
      expect(before.approvals.map((a) => a.staffId)).toEqual([finance1]);

      const second = await signedIn('finance2');
      try {
        await step(second.page, 'payout-confirmation', async () => {
          await goTo(second.page, `/finance/payouts/${bigId}`);
          await openPane(second.page, bigId).waitFor(WAIT);
          await claimOpen(second.page);
          await expect.poll(() => second.page.getByTestId('payout-approve').isEnabled(), WAIT).toBe(true);
          await second.page.getByTestId('payout-approve').click();
          const dialog = second.page.getByRole('dialog');
          await dialog.getByTestId('payout-approve-confirmation').waitFor(WAIT);
          const text = (await dialog.textContent()) ?? '';
          expect(text).toContain(yuan(before.payout.amountFen));
          expect(text).toContain(before.payout.account.name);
          problems.push(...(await scan(second.page, 'payout-confirmation')));
          // Nothing was sent while the dialog asks.
          const asking = (await staffGet<CaseView>('finance2', `/ops/cases/${bigId}`)).detail as PayoutDetail;
          expect(asking.approvals.map((a) => a.staffId)).toEqual([finance1]);
        });
        await step(second.page, 'payout-cancelled', async () => {
          await second.page.getByTestId('payout-approve-cancel').click();
          await second.page
            .getByTestId('payout-approve-confirmation')
            .waitFor({ ...WAIT, state: 'detached' });
          // Give a stray send time to arrive, then ask the core: still pending, no approval by finance2.
          await second.page.waitForTimeout(1_500);
          const after = (await staffGet<CaseView>('finance2', `/ops/cases/${bigId}`)).detail as PayoutDetail;
          expect(after.payout.status).toBe('pending_review');
          expect(after.approvals.map((a) => a.staffId)).not.toContain(finance2);
          expect(after.approvals.map((a) => a.staffId)).toEqual([finance1]);
          expect(await second.page.getByTestId('count-outbox').count()).toBe(0);
        });
      } finally {
        await second.context.close();
      }

      const routine = payouts.items.find(
        (c) =>
          c.id !== bigId &&
          !c.flags.includes('maker_checker') &&
          c.stage === 'awaiting_approval' &&
          c.userId !== finance1,
      );
      expect(routine, 'the demo seed leaves a routine payout awaiting approval').toBeDefined();
      const first = await signedIn('finance1');
      try {
        await step(first.page, 'batch-warns', async () => {
          const p = first.page;
          await goTo(p, '/finance/payouts');
          await p.getByTestId(`case-select-${bigId}`).check();
          await p.getByTestId(`case-select-${routine!.id}`).check();
          await p.getByTestId('batch-approve').click();
          const warning = p.getByTestId('batch-will-fail');
          await warning.waitFor(WAIT);
          expect(await warning.locator(`li[data-case-id="${bigId}"]`).textContent()).toContain('您已批准过');
          expect(await p.getByTestId('batch-leave-out').isChecked()).toBe(true);
          // Left out: listed only in the warning; the one to send is the routine payout.
          const confirm = p.getByTestId('batch-confirm');
          expect(await confirm.locator(`li[data-case-id="${bigId}"]`).count()).toBe(1);
          expect(await confirm.locator(`li[data-case-id="${routine!.id}"]`).count()).toBe(1);
          expect(await p.getByTestId('batch-approve-confirm').textContent()).toContain('确认批准 1 条');
          expect(await confirm.textContent()).toContain(`合计 ${yuan(routine!.amountFen ?? 0)}`);
          problems.push(...(await scan(p, 'batch-approve')));
          await p
            .getByRole('dialog')
            .getByRole('button', { name: /取\s*消/ })
            .click();
          await p.getByTestId('batch-confirm').waitFor({ ...WAIT, state: 'detached' });
        });
      } finally {
        await first.context.close();
      }
      expect(problems).toEqual([]);
    }, 150_000);

    // Problem 9. Before the fix a case never opened here read, offline, "工单不存在，可能已被处理或你没有查看
    // 权限" and stayed so after the core came back until the page was reloaded. The check of the offline
    // words and the wait for the case's detail in the same document would have failed.
    it('offline, a case never opened here says so; with the core back it loads by itself', async () => {
      const problems: string[] = [];
      let caseId = 0;
      await step(page, 'core-stopped', async () => {
        await page.getByTestId('nav-disputes').click();
        await expect.poll(() => page.locator('.queue-toolbar h2').textContent(), WAIT).toBe('纠纷仲裁');
        // The last dispute in the queue: listed (the cache has its summary), never opened here.
        await expect.poll(async () => (await rowIds(page)).length, WAIT).toBeGreaterThan(0);
        caseId = (await rowIds(page)).at(-1)!;
        await page.evaluate(() => {
          (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
        });
        await core.stop();
        await page.locator('[data-testid="sync-state"][data-state="offline"]').waitFor(WAIT);
      });

      await step(page, 'offline-never-opened', async () => {
        await page.getByTestId(`case-row-${caseId}`).click();
        const offline = page.getByTestId('case-detail-offline');
        await offline.waitFor(WAIT);
        const text = (await offline.textContent()) ?? '';
        expect(text).toContain('这个工单还没有在本机打开过');
        expect(text).toContain('恢复连接后会自动加载');
        expect(text).not.toContain('可能已被处理或你没有查看权限');
        problems.push(...(await scan(page, 'offline-case')));
      });

      await step(page, 'core-back-case-loaded', async () => {
        core = await startCore();
        await openPane(page, caseId).waitFor(WAIT);
        await page.getByTestId('dispute-pane').waitFor(WAIT);
        expect(await page.getByTestId('case-detail-offline').count()).toBe(0);
        expect(
          await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument),
        ).toBe(true);
        expect(page.url()).toBe(`${origin()}/#/moderation/disputes/${caseId}`);
      });
      expect(problems).toEqual([]);
      expect(pageProblems).toEqual([]);
    }, 150_000);
  },
);
