import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { SandboxCredentials } from '../modules/payments/config';

/**
 * The core as a real child process for the crash suite: the production entry (`src/main/server.ts`,
 * what systemd runs) with the payment gateways configured to a sandbox the test runs, as an operator
 * configures real keys. `kill()` is SIGKILL: no shutdown hook runs.
 */
export interface CoreChild {
  url: string;
  pid: number;
  /** The child's last output lines (for failure messages). */
  lines: string[];
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const CORE_DIR = path.resolve(import.meta.dirname, '../..');

/** A free port on 127.0.0.1 (the core is restarted on the same one, so notify URLs stay valid). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The gateway variables that point the core at a sandbox (deploy/two-instances.sh does the same). */
export function gatewayEnv(c: SandboxCredentials): Record<string, string> {
  return {
    ALIPAY_APP_ID: c.alipay.appId,
    ALIPAY_PUBLIC_KEY: c.alipay.gatewayPublicKey,
    ALIPAY_PRIVATE_KEY: c.alipay.merchantPrivateKey,
    ALIPAY_GATEWAY_URL: c.alipay.gatewayUrl,
    WECHATPAY_MCHID: c.wechat.mchid,
    WECHATPAY_APPID: c.wechat.appid,
    WECHATPAY_APIV3_KEY: c.wechat.apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY: c.wechat.platformPublicKey,
    WECHATPAY_PLATFORM_SERIAL: c.wechat.platformSerial,
    WECHATPAY_PRIVATE_KEY: c.wechat.merchantPrivateKey,
    WECHATPAY_MERCHANT_SERIAL: c.wechat.merchantSerial,
    WECHATPAY_GATEWAY_URL: c.wechat.gatewayUrl,
  };
}

/** Starts `node --import tsx src/main/server.ts` on 127.0.0.1:`port` and waits for `/healthz`. */
export async function startCoreChild(opts: {
  port: number;
  env: Record<string, string>;
  timeoutMs?: number;
}): Promise<CoreChild> {
  const url = `http://127.0.0.1:${opts.port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main/server.ts'], {
    cwd: CORE_DIR,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...(process.env['HOME'] ? { HOME: process.env['HOME'] } : {}),
      ...(process.env['TMPDIR'] ? { TMPDIR: process.env['TMPDIR'] } : {}),
      ...opts.env,
      HOST: '127.0.0.1',
      PORT: String(opts.port),
      PUBLIC_URL: url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 60) lines.shift();
    });
  }
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (gone) return;
    child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (gone) throw new Error(`the core exited before answering:\n${lines.join('\n')}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`the core did not answer /healthz in time:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, lines, exited, kill };
}
