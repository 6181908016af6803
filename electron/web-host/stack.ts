import path from 'node:path';
import type { ConsoleEngineHandle } from '../engine/api';
import { MemoryTokenStore, startConsoleEngine } from '../engine/index';
import { startWebHost, type WebHost } from './server';

/** The built renderer the web host serves by default. */
export const RENDERER_DIST = path.resolve(import.meta.dirname, '../../renderer/dist');

export interface ConsoleStackOptions {
  /** The core the engine talks to until the person configures another one at the login page. */
  coreUrl: string;
  /** The engine's settings and cache files. */
  dataDir: string;
  /** The web host's port; 0 (the default) picks a free one. */
  port?: number;
  rendererDir?: string;
  log?: (line: string) => void;
}

export interface ConsoleStack {
  engine: ConsoleEngineHandle;
  host: WebHost;
  /** Web host first (no page can call a closing engine), then the engine. */
  close(): Promise<void>;
}

/**
 * The console engine plus the web host in front of it: what `start:web` runs after its core is up, and
 * what the end-to-end tests start against a core of their own. Refresh tokens live in memory only, so a
 * restart of the web host means signing in again — a browser tab is not a keychain.
 */
export async function startConsoleStack(opts: ConsoleStackOptions): Promise<ConsoleStack> {
  const engine = await startConsoleEngine({
    dataDir: opts.dataDir,
    defaultCoreUrl: opts.coreUrl,
    tokenStore: new MemoryTokenStore(),
    log: opts.log,
  });
  let host: WebHost;
  try {
    host = await startWebHost({
      engine,
      rendererDir: opts.rendererDir ?? RENDERER_DIST,
      port: opts.port ?? 0,
      log: opts.log,
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  return {
    engine,
    host,
    close: async () => {
      await host.close();
      await engine.close();
    },
  };
}
