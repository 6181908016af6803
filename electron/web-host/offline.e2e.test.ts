import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, CHROMIUM, freePort, launchChromium, PASSWORD, signIn, signInOnPage, WAIT } from './e2e-support';
import { ensureRendererBuilt } from './renderer-build';

/**
 * `npm run start:web` as a person runs it (cli.ts as a child process, its embedded core its own child),
 * in Debian's Chromium: the core is killed (SIGKILL, by its PID) and the page stays served, says it is
 * offline, opens a case from the cache and queues an action; the supervisor starts the core again and the
 * queue is delivered; Ctrl+C then stops the web host and the core. Screenshots of each step go to
 * electron/test-artifacts/offline-e2e/, with start:web's output.
 */

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/offline-e2e');
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(import.meta.dirname, 'cli.ts');
const MODERATOR_NICKNAME = '审核专员小周';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this PID exists (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The embedded core among `pid`'s children (the `node … src/main/dev.ts` process), from /proc. */
function coreChildOf(pid: number): number | null {
  if (!fs.existsSync(`/proc/${pid}/task`)) return null;
  const children = fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
  return (
    children.find((child) => {
      try {
        return alive(child) && fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('src/main/dev.ts');
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** Holds a TCP port, answering nothing (every connection is cut), until `release()`. */
async function holdPort(port: number, timeoutMs = 10_000): Promise<{ release(): Promise<void> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = net.createServer((socket) => socket.destroy());
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return { release: () => new Promise((resolve) => server.close(() => resolve())) };
    if (Date.now() > deadline) throw new Error(`port ${port} stayed busy`);
    await sleep(25);
  }
}

async function until(check: () => boolean, what: string, timeoutMs = WAIT.timeout) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Screenshots after each step (and on failure, under the step's name). */
function stepper(prefix: string, page: () => Page) {
  let shot = 0;
  return async (name: string, body: () => Promise<void>) => {
    shot += 1;
    const file = `${prefix}-${String(shot).padStart(2, '0')}-${name}`;
    try {
      await body();
    } catch (err) {
      await page()
        .screenshot({ path: path.join(ARTIFACTS, `${file}-FAILED.png`) })
        .catch(() => {});
      throw err;
    }
    await page().screenshot({ path: path.join(ARTIFACTS, `${file}.png`) });
  };
}

const syncState = (page: Page, state: string) =>
  page.locator(`[data-testid="sync-state"][data-state="${state}"]`);

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'the console outlives its embedded core'
    : `offline console — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  () => {
    let tmp: string;
    let browser: Browser;
    const pageProblems: string[] = [];

    beforeAll(async () => {
      fs.rmSync(ARTIFACTS, { recursive: true, force: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-offline-e2e-'));
      await ensureRendererBuilt();
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const newPage = async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
      return page;
    };

    describe('npm run start:web, its embedded core killed', () => {
      let cli: ChildProcess;
      const output: string[] = [];
      let url = '';
      let corePort: number;
      let page: Page;
      const step = stepper('start-web', () => page);
      /** The core's port, held busy during the outage. */
      let held: { release(): Promise<void> } | null = null;

      beforeAll(async () => {
        corePort = await freePort();
        const cliLog = path.join(ARTIFACTS, 'start-web.log');
        // No JX_CORE_URL: the default, embedded core.
        const { JX_CORE_URL: _external, ...inherited } = process.env;
        cli = spawn(process.execPath, ['--import', 'tsx', CLI], {
          cwd: REPO_ROOT,
          env: {
            ...inherited,
            // The embedded core as `npm start` reads its environment; nothing else this shell points at.
            PORT: String(corePort),
            SANDBOX_PORT: String(await freePort()),
            DATA_DIR: path.join(tmp, 'core'),
            DEMO_PASSWORD: PASSWORD,
            LOG_LEVEL: 'warn',
            SIMULATE: '0',
            DATABASE_URL: '',
            DATABASE_READ_URL: '',
            REDIS_URL: '',
            JX_WEB_PORT: String(await freePort()),
            JX_CONSOLE_DATA_DIR: path.join(tmp, 'console'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        for (const stream of [cli.stdout!, cli.stderr!])
          createInterface({ input: stream }).on('line', (line) => {
            output.push(line);
            fs.appendFileSync(cliLog, `${line}\n`);
          });
        const exited = new Promise((resolve) => cli.once('exit', resolve));
        // The banner's address, printed once the core, the engine and the web host are up.
        const printed = (async () => {
          for (;;) {
            const found = output
              .map((l) => /打开 Open\s+(http:\/\/127\.0\.0\.1:\d+\/#key=\S+)/.exec(l))
              .find(Boolean);
            if (found) return found[1]!;
            await sleep(100);
          }
        })();
        const first = await Promise.race([printed, exited.then(() => null), sleep(200_000).then(() => null)]);
        if (!first) throw new Error(`start:web did not print its address:\n${output.slice(-30).join('\n')}`);
        url = first;
        page = await newPage();
      }, 240_000);

      afterAll(async () => {
        await held?.release();
        if (cli && cli.exitCode === null && cli.signalCode === null) {
          const pid = coreChildOf(cli.pid!);
          cli.kill('SIGKILL');
          if (pid) process.kill(pid, 'SIGKILL');
        }
      });

      it('stays served, works from its cache and queues an action while the core is down, then delivers it', async () => {
        const origin = new URL(url).origin;
        let caseId = 0;
        let title = '';

        await step('signed-in', async () => {
          await signInOnPage(page, url, 'moderator');
          await page.getByTestId('session-user').filter({ hasText: MODERATOR_NICKNAME }).waitFor(WAIT);
          await page.getByTestId('outbox-empty').waitFor(WAIT);
        });

        await step('case-opened-online', async () => {
          // A case not yet claimed, opened once online (so its detail is in the cache), then closed.
          const claim = page.locator('[data-testid^="case-claim-"]').first();
          await claim.waitFor(WAIT);
          caseId = Number((await claim.getAttribute('data-testid'))!.replace('case-claim-', ''));
          await page.getByTestId(`case-row-${caseId}`).click();
          const detail = page.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
          await detail.waitFor(WAIT);
          title = (await detail.locator('#case-detail-title').textContent()) ?? '';
          expect(title).not.toBe('');
          await page.getByTestId('case-detail-close').click();
          await page.getByTestId('case-detail').waitFor({ ...WAIT, state: 'detached' });
        });

        await step('core-killed', async () => {
          const corePid = coreChildOf(cli.pid!);
          expect(corePid).not.toBeNull();
          process.kill(corePid!, 'SIGKILL');
          // Keep the core's port busy while the outage is looked at, so the supervisor's restarts fail
          // (it keeps trying) until the page has been checked offline.
          held = await holdPort(corePort);
          await until(() => !alive(corePid!), 'the core to be gone');
          await syncState(page, 'offline').waitFor(WAIT);
          // The web host is still there: it serves the page and the process is running.
          expect(cli.exitCode).toBeNull();
          const res = await fetch(`${origin}/`);
          expect(res.status).toBe(200);
        });

        await step('cached-case-opens', async () => {
          await page.getByTestId(`case-row-${caseId}`).click();
          const detail = page.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
          await detail.waitFor(WAIT);
          // The detail as it was cached when opened online (the core cannot be asked now).
          expect(await detail.locator('#case-detail-title').textContent()).toBe(title);
          await syncState(page, 'offline').waitFor(WAIT);
        });

        await step('action-queued', async () => {
          await page.getByTestId(`case-claim-${caseId}`).click();
          const item = page.locator(`[data-testid^="outbox-item-"][data-case-id="${caseId}"]`);
          await item.waitFor(WAIT);
          expect(await item.getAttribute('data-state')).toBe('pending');
          await page.getByTestId(`case-pending-${caseId}`).waitFor(WAIT);
        });

        await step('core-restarted-outbox-delivered', async () => {
          await held!.release();
          held = null;
          await syncState(page, 'online').waitFor({ timeout: 120_000 });
          await page.getByTestId('outbox-empty').waitFor(WAIT);
          await page.getByTestId(`case-assignee-${caseId}`).filter({ hasText: '我处理中' }).waitFor(WAIT);
        });

        // The claim reached the core.
        const coreUrl = `http://127.0.0.1:${corePort}`;
        const moderator = await signIn(coreUrl, 'moderator');
        const detail = await api<{ case: { assigneeId: number | null } }>(
          coreUrl,
          'GET',
          `/ops/cases/${caseId}`,
          {
            token: moderator.accessToken,
          },
        );
        expect(detail.case.assigneeId).toBe(moderator.user.id);

        // The supervisor said what happened, in both languages.
        const said = (text: string) => output.some((line) => line.includes(text));
        expect(said('核心服务已退出（SIGKILL')).toBe(true);
        expect(said('The core exited (SIGKILL)')).toBe(true);
        expect(said('核心服务已重新启动')).toBe(true);
        expect(said('The core is running again')).toBe(true);
        expect(pageProblems).toEqual([]);
      }, 300_000);

      it('Ctrl+C stops the web host and the restarted core', async () => {
        await held?.release();
        held = null;
        await until(() => coreChildOf(cli.pid!) !== null, 'a running core', 120_000);
        const corePid = coreChildOf(cli.pid!);
        const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
        cli.kill('SIGINT');
        expect(await exited).toBe(0);
        await until(() => !alive(corePid!), 'the core to stop', 20_000);
        await expect(fetch(new URL(url).origin)).rejects.toThrow();
      }, 60_000);
    });
  },
);
