// Manual smoke check of a running `npm run start:web`: node scripts/check-web.mjs <url printed by start:web> [shot.png]
// Signs in as the demo moderator in Debian's Chromium, waits for the synced queue, then for a change
// pushed live (the simulator keeps staff work coming), and saves a screenshot.
import { chromium } from 'playwright-core';

const [url, shot = 'console.png'] = process.argv.slice(2);
if (!url) throw new Error('usage: node scripts/check-web.mjs <console url with #key=…> [screenshot.png]');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(url);
  await page.getByTestId('login-name').fill('moderator');
  await page.getByTestId('login-password').fill(process.env.DEMO_PASSWORD || 'jiangxin-demo');
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="sync-state"][data-state="online"]').waitFor({ timeout: 60_000 });
  const rows = page.locator('[data-testid^="case-row-"]');
  await rows.first().waitFor({ timeout: 60_000 });
  const before = await page.locator('body').innerText();
  console.log(`signed in; ${await rows.count()} cases shown`);
  const deadline = Date.now() + 120_000;
  while ((await page.locator('body').innerText()) === before) {
    if (Date.now() > deadline) throw new Error('no live change within 2 minutes');
    await page.waitForTimeout(500);
  }
  console.log(`live change seen; ${await rows.count()} cases shown`);
  await page.screenshot({ path: shot });
} finally {
  await browser.close();
}
