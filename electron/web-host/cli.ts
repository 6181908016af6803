import path from 'node:path';
import { sessionLimitsFromEnv } from './stack';
import { startWebConsole, type WebConsole } from './web-console';

/**
 * `npm run start:web`: the operations console in a browser. Starts the embedded core (unless JX_CORE_URL
 * names a running one), the console engine and the web host, and prints the address to open.
 *
 * Environment: JX_CORE_URL (use this core, start none), PORT / SANDBOX_PORT / DATA_DIR / DEMO_PASSWORD …
 * (passed to the embedded core as `npm start` reads them), JX_WEB_PORT (default 3200),
 * JX_CONSOLE_DATA_DIR (the engines' files; default <repo>/data/console), JX_WEB_MAX_SESSIONS (browser
 * sessions at once, default 20), JX_WEB_IDLE_MINUTES (a signed-in session without an open page is closed
 * after this long, default 30).
 *
 * One host serves a whole team: each browser signs in as its own member (its own engine, cache and outbox,
 * picked by a session cookie). It binds to 127.0.0.1 only and checks Host and Origin: colleagues reach it
 * through an SSH tunnel on the same port (see README).
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number`);
  return port;
}

function banner(url: string, coreUrl: string, embedded: boolean): string {
  const line = '─'.repeat(64);
  const limits = sessionLimitsFromEnv();
  const password = process.env['DEMO_PASSWORD'] || 'jiangxin-demo';
  return `
${line}
  匠心 运营控制台（浏览器模式） Jiangxin operations console (browser mode)

  打开 Open   ${url}

  这个地址带有本次启动的密钥，只在本机有效；重启后会换新的。
  The address carries this launch's key (local only; a restart draws a new one).

  团队共用：每个浏览器各自登录自己的账号（会话 Cookie），最多 ${limits.maxSessions} 个，
  无页面打开 ${limits.idleMs / 60_000} 分钟后自动退出。
  A team can share it: each browser signs in as its own member (a session cookie); at most
  ${limits.maxSessions} at once, closed after ${limits.idleMs / 60_000} min without an open page
  (JX_WEB_MAX_SESSIONS, JX_WEB_IDLE_MINUTES).

  核心服务 Core  ${coreUrl}${embedded ? '  (embedded 内置)' : ''}
  演示账号 Demo staff: admin, moderator, finance1, finance2, support — ${
    embedded ? `密码 password: ${password}` : 'password: the core’s DEMO_PASSWORD (if it has the demo seed)'
  }
  Ctrl+C 退出 quits.
${line}
`;
}

let startup: Promise<WebConsole> | null = null;
let closing = false;
/** Ctrl+C during start-up aborts the core start (its child is stopped by its PID). */
const starting = new AbortController();

/** No more core restarts; the web host, the engine, then the core child (by its PID). */
async function shutdown(code: number): Promise<never> {
  closing = true;
  starting.abort();
  const running = await startup?.catch(() => null);
  await running?.close().catch((err: unknown) => console.error(err));
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (closing) return;
    console.log(`\n${signal}: 正在退出 shutting down…`);
    void shutdown(0);
  });

const external = process.env['JX_CORE_URL'] || undefined;
try {
  // A bad limit stops the start here, before the core is started, with the variable's name.
  sessionLimitsFromEnv();
  startup = startWebConsole({
    externalCoreUrl: external,
    corePort: portFromEnv('PORT', 3000),
    dataDir: process.env['JX_CONSOLE_DATA_DIR'] || path.join(REPO_ROOT, 'data', 'console'),
    webPort: portFromEnv('JX_WEB_PORT', 3200),
    coreLine: (line) => console.log(`[core] ${line}`),
    supervisorLine: (line) => console.log(`[supervisor 守护] ${line}`),
    consoleLine: (line) => console.log(`[console] ${line}`),
    progress: console.log,
    signal: starting.signal,
  });
  const running = await startup;
  // (Ctrl+C during start-up: shutdown() closes what started and exits.)
  if (!closing) console.log(banner(running.url, running.coreUrl, !external));
} catch (err) {
  if (!closing) {
    console.error(`\n启动失败 Could not start: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}
