import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { type CoreProcess, startCoreProcess } from './core-process';

/**
 * What the browser suites share: the system Chromium (never a downloaded one), free ports, and the core's
 * HTTP API as a marketplace user or a staff member would call it (to act outside the console and to check
 * on the core what the console did).
 */

export const CHROMIUM = '/usr/bin/chromium';
/** The demo seed's password in the browser suites (the core child gets it as DEMO_PASSWORD). */
export const PASSWORD = 'e2e-demo-password';
/** Waits on the page: cold starts, seeding and reconnect backoff (up to 10 s in the engine) included. */
export const WAIT = { timeout: 60_000 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A marketplace or staff user talking to the core's HTTP API directly. */
export async function api<T>(
  coreUrl: string,
  method: string,
  pathname: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${coreUrl}/api/v1${pathname}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export const signIn = (coreUrl: string, login: string) =>
  api<{ accessToken: string; user: { id: number } }>(coreUrl, 'POST', '/auth/login', {
    body: { login, password: PASSWORD },
  });

export interface CategoryNode {
  id: number;
  children: CategoryNode[];
}

/** A freelancer submits a new listing for review, which opens a `listing_review` case on the core. */
export async function submitListing(
  coreUrl: string,
  titleZh: string,
  description = '端到端测试：提交审核后，运营控制台应实时显示这个审核工单。',
): Promise<void> {
  const { accessToken } = await signIn(coreUrl, 'freelancer001');
  const tree = await api<CategoryNode[]>(coreUrl, 'GET', '/categories');
  const leaf = (nodes: CategoryNode[]): CategoryNode | undefined =>
    nodes.map((n) => (n.children.length === 0 ? n : leaf(n.children))).find(Boolean);
  const category = leaf(tree);
  if (!category) throw new Error('the demo seed has no categories');
  const pkg = (tier: string, priceFen: number, deliveryDays: number, revisions: number) => ({
    tier,
    title: `${tier}套餐`,
    description: `${tier} 套餐，含源文件`,
    priceFen,
    deliveryDays,
    revisions,
  });
  await api(coreUrl, 'POST', '/services', {
    token: accessToken,
    body: {
      title: 'End-to-end console test listing',
      titleZh,
      description,
      categoryId: category.id,
      skillIds: [],
      packages: [pkg('basic', 50_000, 5, 1), pkg('standard', 120_000, 4, 3), pkg('premium', 300_000, 7, 5)],
      submit: true,
    },
  });
}

/**
 * The demo core as the browser suites run it: a child process on embedded PGlite in `dataDir` (whatever
 * servers this shell points at: the core reads an empty variable as unset), seeded with PASSWORD, its
 * output appended to `logFile`. The same port and folder again is a restart, not a new core.
 */
export function startDemoCore(opts: {
  port: number;
  sandboxPort: number;
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
}): Promise<CoreProcess> {
  return startCoreProcess({
    port: opts.port,
    sandboxPort: opts.sandboxPort,
    dataDir: opts.dataDir,
    env: {
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      DATABASE_READ_URL: '',
      REDIS_URL: '',
      ...opts.env,
    },
    onLine: (line) => fs.appendFileSync(opts.logFile, `${line}\n`),
  });
}

/** Signs a staff member in on the console's login page and waits until the console is online. */
export async function signInOnPage(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-name').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="sync-state"][data-state="online"]').waitFor(WAIT);
}

/**
 * Waits until the page's finite CSS animations and transitions have ended (antd fades buttons, tags and
 * modals in over ~0.2–0.3 s). Colour contrast read mid-fade is the fade's, not the design's: the scans
 * failed on a half-faded export button and a confirmation modal before they waited. Endless animations
 * (spinners) are left running.
 */
async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(SETTLE_ANIMATIONS);
}

// Plain JavaScript run in the page (the electron type-check has no DOM types).
const SETTLE_ANIMATIONS = `(async () => {
  for (let round = 0; round < 5; round += 1) {
    const running = document.getAnimations().filter((a) =>
      a.playState === 'running' && a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    if (running.length === 0) return;
    await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
  }
})()`;

/**
 * Waits until nothing on the page says it is busy (`aria-busy="true"`: a loading pane, the audit chain
 * being verified) and its animations have ended. A control that a finishing check enables fades from
 * grey, and a scan in that moment read the fade (the audit screen's 再次校验 button, in CI). Something
 * busy for longer than the wait is scanned as it is.
 */
export async function pageSettled(page: Page): Promise<void> {
  await page
    .locator('[aria-busy="true"]')
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => undefined);
  await animationsSettled(page);
}

/**
 * Picks `option` in the antd Select `select` (its root or its input) and waits until the Select shows it.
 * The dropdown is opened again when a pick did not take: in one CI run a click on 高 in the queue's
 * priority filter (the dropdown still sliding open, the machine under the whole suite's load) left the
 * filter unset and the test waited out its minute. A pick that never takes still fails, after three tries.
 */
export async function chooseOption(page: Page, select: Locator, option: string): Promise<void> {
  const shown = select
    .locator(
      'xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]',
    )
    // antd 6 puts the chosen option's title on the content box (or on its value box, for styled options).
    .locator(
      `.ant-select-content[title=${JSON.stringify(option)}], .ant-select-content-value[title=${JSON.stringify(option)}]`,
    );
  for (let attempt = 1; ; attempt += 1) {
    await select.click();
    const item = page.locator('.ant-select-dropdown:visible').getByTitle(option, { exact: true });
    await item.waitFor(WAIT);
    await animationsSettled(page);
    await item.click();
    const took = await shown
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (took) return;
    if (attempt === 3) throw new Error(`the Select does not show “${option}” after three picks`);
  }
}

/**
 * The axe scan (WCAG 2 A and AA) of what `page` shows once it has settled: the serious and critical
 * violations as one line each, with the whole report written to `<dir>/axe-<name>.json` for whoever fixes one.
 */
export async function axeScan(page: Page, name: string, dir: string): Promise<string[]> {
  await pageSettled(page);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  fs.writeFileSync(path.join(dir, `axe-${name}.json`), JSON.stringify(serious, null, 2));
  return serious.map((v) => `${name}: ${v.id} ×${v.nodes.length}: ${v.nodes[0]?.target.join(' ')}`);
}
