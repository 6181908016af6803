import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MemoryTokenStore, startConsoleEngine } from '../engine/index';
import { type SessionEngines, startWebHost, type WebHost } from './server';

/** The built renderer the web host serves by default. */
export const RENDERER_DIST = path.resolve(import.meta.dirname, '../../renderer/dist');

export interface ConsoleStackOptions {
  /** The core the engine talks to until the person configures another one at the login page. */
  coreUrl: string;
  /** The engines' settings and cache files: one folder per browser session under `sessions/`. */
  dataDir: string;
  /** The web host's port; 0 (the default) picks a free one. */
  port?: number;
  rendererDir?: string;
  log?: (line: string) => void;
}

export interface ConsoleStack {
  /** Makes the engine of each browser session; the web host owns and closes them. */
  engine: SessionEngines;
  host: WebHost;
  /** The web host, which closes every browser session's engine after its pages. */
  close(): Promise<void>;
}

/**
 * The web host plus a console engine per browser session behind it: what `start:web` runs after its core
 * is up, and what the end-to-end tests start against a core of their own. Each browser that signs in gets
 * its own engine in its own folder (`<dataDir>/sessions/<random>`: settings, offline cache, outbox), so
 * several staff can share one web host without sharing a member, a cache or events. Refresh tokens live
 * in memory only, so a restart of the web host means signing in again — a browser tab is not a keychain.
 */
export async function startConsoleStack(opts: ConsoleStackOptions): Promise<ConsoleStack> {
  const sessionsDir = path.join(opts.dataDir, 'sessions');
  const engine: SessionEngines = {
    openSession: async () => {
      // Named at random, never after the cookie: the cookie stays a secret between browser and host.
      const dir = path.join(sessionsDir, randomBytes(12).toString('hex'));
      await fs.mkdir(dir, { recursive: true });
      const own = await startConsoleEngine({
        dataDir: dir,
        defaultCoreUrl: opts.coreUrl,
        tokenStore: new MemoryTokenStore(),
        log: opts.log,
      });
      return {
        engine: own,
        discard: async () => {
          await own.close();
          await fs.rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
  const host = await startWebHost({
    engine,
    rendererDir: opts.rendererDir ?? RENDERER_DIST,
    port: opts.port ?? 0,
    log: opts.log,
  });
  return { engine, host, close: () => host.close() };
}
