import { parentPort, workerData } from 'node:worker_threads';
import { openCaseCache } from '../cache/cache';
import type { CacheAccount } from '../cache/db';
import { CACHE_OPS, type CacheOpName, type CacheRequest, type CacheResponse } from './ops';

/**
 * The cache's thread: owns the better-sqlite3 connection so snapshot pages, searches over a million rows
 * and big queue reads never block the thread that answers the bridge. Requests are served one at a time
 * in arrival order, which is also the order the engine sent them.
 */
const port = parentPort;
if (!port) throw new Error('the case cache worker must run as a worker thread');
const { dir, account } = workerData as { dir: string; account: CacheAccount };

let cache: ReturnType<typeof openCaseCache> | null = null;
let openError: unknown = null;
try {
  cache = openCaseCache({ dir, account });
} catch (error) {
  openError = error;
}

const fail = (id: number, error: unknown): CacheResponse => ({
  id,
  ok: false,
  error:
    error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: 'Error', message: String(error) },
});

port.on('message', (req: CacheRequest) => {
  let res: CacheResponse;
  try {
    if (!cache) throw openError;
    if (req.op === '$close' || req.op === '$wipe') {
      if (req.op === '$close') cache.close();
      else cache.wipe();
      port.postMessage({ id: req.id, ok: true, value: null } satisfies CacheResponse);
      port.close();
      return;
    }
    const op = CACHE_OPS[req.op as CacheOpName] as (c: typeof cache, ...args: unknown[]) => unknown;
    res = { id: req.id, ok: true, value: op(cache, ...req.args) };
  } catch (error) {
    res = fail(req.id, error);
  }
  port.postMessage(res);
});
