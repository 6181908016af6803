import { type CoreProcess, startCoreProcess } from './core-process';
import { type CoreSupervisor, type CoreSupervisorOptions, superviseCore } from './core-supervisor';
import { ensureRendererBuilt } from './renderer-build';
import { type ConsoleStack, startConsoleStack } from './stack';

/**
 * What `npm run start:web` starts, apart from reading its environment and printing the banner (cli.ts):
 * the renderer build if it is stale, the embedded core under its supervisor (unless `externalCoreUrl`
 * names a running core), then the console engine and the web host.
 *
 * The web host and the engine do not depend on the core being up: when the embedded core exits, the
 * console stays served, the engine is offline (cached cases open, actions wait in the outbox) and the
 * supervisor starts the core again; the outbox is delivered once it answers.
 */

export interface WebConsoleOptions {
  /** A core that is already running (JX_CORE_URL): no embedded core is started or supervised. */
  externalCoreUrl?: string;
  /** The embedded core's port (its other settings come from this process's environment, as `npm start`). */
  corePort: number;
  /** The engine's settings and cache files. */
  dataDir: string;
  /** The web host's port (0: a free one). */
  webPort: number;
  /** The core's own output, line by line. */
  coreLine?: (line: string) => void;
  /** The supervisor's lines (exits, restarts). */
  supervisorLine?: (line: string) => void;
  /** The engine's and the web host's lines. */
  consoleLine?: (line: string) => void;
  /** Progress before the banner (renderer build, core start). */
  progress?: (line: string) => void;
  /** Aborts a start in progress (Ctrl+C during start-up): the core child is stopped by its PID. */
  signal?: AbortSignal;
  /** Restart pauses (tests); the defaults are 1 s doubling to 30 s. */
  restart?: Pick<CoreSupervisorOptions<CoreProcess>, 'initialDelayMs' | 'maxDelayMs' | 'stableAfterMs'>;
}

export interface WebConsole {
  /** The address to open (with this launch's key). */
  url: string;
  coreUrl: string;
  /** The embedded core's supervisor; null with an external core. */
  supervisor: CoreSupervisor<CoreProcess> | null;
  stack: ConsoleStack;
  /** Stops everything: no more core restarts, the web host, the engine, then the core child by its PID. */
  close(): Promise<void>;
}

export async function startWebConsole(opts: WebConsoleOptions): Promise<WebConsole> {
  const progress = opts.progress ?? (() => {});
  await ensureRendererBuilt(progress);

  let supervisor: CoreSupervisor<CoreProcess> | null = null;
  let coreUrl: string;
  if (opts.externalCoreUrl) {
    coreUrl = opts.externalCoreUrl.replace(/\/+$/, '');
  } else {
    progress('启动内置核心服务 Starting the embedded core…');
    supervisor = await superviseCore({
      ...opts.restart,
      start: (signal) =>
        startCoreProcess({
          port: opts.corePort,
          onLine: opts.coreLine,
          signal: opts.signal ? AbortSignal.any([signal, opts.signal]) : signal,
        }),
      log: opts.supervisorLine,
    });
    coreUrl = `http://127.0.0.1:${opts.corePort}`;
  }

  let stack: ConsoleStack;
  try {
    stack = await startConsoleStack({
      coreUrl,
      dataDir: opts.dataDir,
      port: opts.webPort,
      log: opts.consoleLine,
    });
  } catch (err) {
    await supervisor?.stop();
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    url: stack.host.url,
    coreUrl,
    supervisor,
    stack,
    close: () => {
      // The supervisor is told first (synchronously), so a core that exits while the web host closes —
      // Ctrl+C reaches the core child too — is not restarted.
      closing ??= (async () => {
        const core = supervisor?.stop();
        await stack.close();
        await core;
      })();
      return closing;
    },
  };
}
