import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CacheAccount } from '../cache/db';
import {
  CACHE_OPS,
  type CacheOpName,
  type CacheRequest,
  type CacheResponse,
  type RemoteCacheOps,
} from './ops';

/** An error thrown inside the cache worker, re-raised on the engine's thread with its name and message. */
export class CacheWorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The cache, running on its own thread. */
export interface RemoteCache extends RemoteCacheOps {
  /** Closes the file (the outbox stays on disk) and ends the thread. */
  close(): Promise<void>;
  /** Logout or account switch: deletes the file, outbox included, and ends the thread. */
  wipe(): Promise<void>;
}

/**
 * Where the worker's code is: beside this module — `dev-entry.mjs` (tsx, then worker.ts) when running from source,
 * `worker.js` in a build (the Electron bundle emits it next to main.js).
 */
function workerEntry(): URL {
  const source = new URL('./dev-entry.mjs', import.meta.url);
  if (import.meta.url.endsWith('.ts') && existsSync(fileURLToPath(source))) return source;
  return new URL('./worker.js', import.meta.url);
}

/**
 * Opens an account's cache on a worker thread. Resolves once the file is open and migrated (an error
 * opening it — a file from a newer console, a locked file — rejects here with the worker's error).
 */
export async function openRemoteCache(opts: { dir: string; account: CacheAccount }): Promise<RemoteCache> {
  const worker = new Worker(workerEntry(), { workerData: { dir: opts.dir, account: opts.account } });
  let nextId = 1;
  let dead: Error | null = null;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  const failAll = (error: Error) => {
    dead = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (res: CacheResponse) => {
    const w = waiting.get(res.id);
    if (!w) return;
    waiting.delete(res.id);
    if (res.ok) w.resolve(res.value);
    else w.reject(new CacheWorkerError(res.error.name, res.error.message));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) =>
    failAll(new CacheWorkerError('CacheClosed', `the case cache is closed (exit ${code})`)),
  );

  const send = (op: CacheRequest['op'], args: unknown[]): Promise<unknown> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args } as CacheRequest);
    });
  };

  const ops = Object.fromEntries(
    (Object.keys(CACHE_OPS) as CacheOpName[]).map((op) => [op, (...args: unknown[]) => send(op, args)]),
  ) as unknown as RemoteCacheOps;

  const finish = async (op: '$close' | '$wipe') => {
    if (dead) return;
    await send(op, []);
    await new Promise<void>((resolve) => {
      if (dead) resolve();
      else worker.once('exit', () => resolve());
    });
  };
  const remote: RemoteCache = { ...ops, close: () => finish('$close'), wipe: () => finish('$wipe') };
  // The first answer proves the file opened and migrated.
  try {
    await remote.syncState();
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return remote;
}
