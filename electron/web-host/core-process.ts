import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The embedded core as a child process (what `npm run -w core dev` runs): `start:web` uses it unless
 * JX_CORE_URL names a running core, and the end-to-end test uses it to stop and restart the core under
 * the console. The child is `node --import tsx src/main/dev.ts` rather than the `tsx` launcher, so the PID
 * we hold is the core itself and SIGTERM reaches its clean shutdown directly.
 */

export const CORE_DIR = path.resolve(import.meta.dirname, '../../core');

export interface CoreProcessOptions {
  port: number;
  /** The sandbox gateway's port (the core's default is 3100). */
  sandboxPort?: number;
  /** Where PGlite keeps the database (the core's default is core/data). */
  dataDir?: string;
  /** More environment for the core (SIMULATE, DEMO_PASSWORD …) on top of this process's environment. */
  env?: Record<string, string>;
  /** Each line the core prints (stdout and stderr). */
  onLine?: (line: string) => void;
  /** How long to wait for `/healthz` (PGlite cold start and the first seed take several seconds). */
  healthTimeoutMs?: number;
  /** Aborts the start: the child (if spawned) is stopped by its PID and the promise rejects. */
  signal?: AbortSignal;
}

export interface CoreProcess {
  url: string;
  pid: number;
  /** The core's last output lines, for error messages. */
  lastLines(): string[];
  /** Resolves with the exit code (or the signal's name) when the core ends, for whatever reason. */
  exited: Promise<number | string>;
  /** SIGTERM to this PID, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const KEPT_LINES = 40;

export async function startCoreProcess(opts: CoreProcessOptions): Promise<CoreProcess> {
  const url = `http://127.0.0.1:${opts.port}`;
  const aborted = () => new Error('The core start was cancelled (核心服务启动已取消)');
  if (opts.signal?.aborted) throw aborted();
  if (await portAnswers(opts.port)) {
    const hint = (await isHealthy(url))
      ? `a 匠心 core already answers there — set JX_CORE_URL=${url} to use it, or PORT=… for another port`
      : 'set PORT=… to start the core on another port';
    throw new Error(`Port ${opts.port} is already in use (端口已被占用): ${hint}`);
  }

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main/dev.ts'], {
    cwd: CORE_DIR,
    env: {
      ...process.env,
      ...opts.env,
      HOST: '127.0.0.1',
      PORT: String(opts.port),
      ...(opts.sandboxPort === undefined ? {} : { SANDBOX_PORT: String(opts.sandboxPort) }),
      ...(opts.dataDir === undefined ? {} : { DATA_DIR: opts.dataDir }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      opts.onLine?.(line);
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(err.message));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const stop = async (graceMs = 15_000) => {
    if (gone) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const onAbort = () => void stop(2000);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await waitHealthy();
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { url, pid: child.pid!, lastLines: () => [...lines], exited, stop };

  async function waitHealthy() {
    const timeoutMs = opts.healthTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    while (!(await isHealthy(url))) {
      const tail = () => `— last output (最后输出):\n${lines.slice(-15).join('\n') || '(nothing)'}`;
      if (opts.signal?.aborted) {
        await stop(2000);
        throw aborted();
      }
      if (gone)
        throw new Error(`The core exited before ${url}/healthz answered (核心服务启动失败) ${tail()}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `The core did not answer ${url}/healthz within ${Math.round(timeoutMs / 1000)} s (核心服务未就绪) ${tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** `GET /healthz` answers `{status:'ok'}`. */
export async function isHealthy(coreUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${coreUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
